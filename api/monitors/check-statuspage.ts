import { type ComponentStatus, componentStatuses } from "@/db/vocabulary";
import { componentStatusLabels } from "@/present/labels";
import type { CheckOutcome, CheckResult } from "./check-types";

// Reading a provider's Statuspage v2 summary (reference/statuspage-v2.md §1, §2.5): the page's indicator, or one
// component's status, which is already Marquee's vocabulary.

/** summary.json is one document; the largest real pages are a few hundred KB. */
export const summaryCapBytes = 2 * 1024 * 1024;

/** A page's base URL gets /api/v2/summary.json; a URL that already names a .json document is used as it is. */
export function summaryUrl(url: string): string {
  const parsed = new URL(url);
  parsed.hash = "";
  if (parsed.pathname.endsWith(".json")) return parsed.href;
  parsed.search = "";
  parsed.pathname = `${parsed.pathname.replace(/\/+$/, "")}/api/v2/summary.json`;
  return parsed.href;
}

/** §2.5: `maintenance` is not in Atlassian's list but real pages send it. */
const indicatorStatuses: Record<string, ComponentStatus> = {
  none: "operational",
  minor: "degraded_performance",
  major: "partial_outage",
  critical: "major_outage",
  maintenance: "under_maintenance",
};

/**
 * What a provider's status means for a monitor. Maintenance is announced work, not an outage: degraded, so the
 * state machine can follow `providerStatus` rather than open an incident for it.
 */
const statusOutcomes: Record<ComponentStatus, CheckOutcome> = {
  operational: "up",
  degraded_performance: "degraded",
  under_maintenance: "degraded",
  partial_outage: "down",
  major_outage: "down",
};

type Component = { id?: unknown; name?: unknown; status?: unknown };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The component named by id, else by case-insensitive name; a string says why none could be chosen. */
export function findComponent(components: readonly unknown[], wanted: string): Component | string {
  const byId = components.find((c) => isObject(c) && c.id === wanted);
  if (byId) return byId as Component;
  const name = wanted.trim().toLowerCase();
  const byName = components.filter(
    (c): c is Component => isObject(c) && typeof c.name === "string" && c.name.trim().toLowerCase() === name,
  );
  if (byName.length === 1) return byName[0]!;
  if (byName.length > 1) return `component "${wanted}" matches ${byName.length} components on the page; use its id`;
  return `component "${wanted}" not found on the page`;
}

/** Judges a parsed summary.json (or status.json without a component). Never throws, whatever the JSON holds. */
export function judgeSummary(summary: unknown, component: string | undefined): Omit<CheckResult, "responseMs"> {
  const notSummary = { outcome: "down", message: "the provider's page is not a Statuspage summary" } as const;
  if (!isObject(summary)) return notSummary;
  let status: ComponentStatus | undefined;
  if (component === undefined) {
    if (!isObject(summary.status) || typeof summary.status.indicator !== "string") return notSummary;
    status = indicatorStatuses[summary.status.indicator];
  } else {
    if (!Array.isArray(summary.components)) return notSummary;
    const found = findComponent(summary.components, component);
    if (typeof found === "string") return { outcome: "down", message: found };
    status = componentStatuses.find((s) => s === found.status);
  }
  if (status === undefined) return { outcome: "down", message: "the provider reports a status Marquee does not know" };
  return {
    outcome: statusOutcomes[status],
    message: `provider: ${componentStatusLabels[status]}`,
    providerStatus: status,
  };
}
