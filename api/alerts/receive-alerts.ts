/**
 * Alerts pushed by Alertmanager or Grafana. Each alert is known by its source and fingerprint; only a change of its
 * state (a new firing, a resolution) goes to applyDetection, which sets or restores the component under the
 * automation rules (api/automation/apply.ts): several alerts on one component combine, worst first, and staff win.
 */
import { and, eq, lt } from "drizzle-orm";
import { applyDetection } from "@/api/automation/apply";
import { sha256Hex } from "@/api/ids";
import type { Deps } from "@/api/services/deps";
import type { Effects, Written } from "@/api/services/effects";
import { type AlertSource, components, type ReceivedAlert, receivedAlerts } from "@/db/schema";
import { keptLabels, labelsIdentity, readIntent } from "./alert-labels";
import { alertMove } from "./alert-order";
import type { ReceivedAlertInput } from "./payloads";
import type { SeverityStatuses } from "./severity";

export type UnmatchedAlert = { fingerprint: string; alertname: string; component: string | null; reason: string };
export type AlertsAnswer = { received: number; applied: number; unmatched: UnmatchedAlert[] };

/** Resolved alerts are forgotten after this long; a delivery that late is not coming. */
export const resolvedAlertsKeptMs = 30 * 24 * 3600_000;
const maxUnmatchedListed = 100;

export async function receiveAlerts(
  deps: Deps,
  source: AlertSource,
  alerts: ReceivedAlertInput[],
  mapping: SeverityStatuses,
): Promise<Written<AlertsAnswer>> {
  return oneAtATime(deps.db, () => receive(deps, source, alerts, mapping));
}

async function receive(
  deps: Deps,
  source: AlertSource,
  alerts: ReceivedAlertInput[],
  mapping: SeverityStatuses,
): Promise<Written<AlertsAnswer>> {
  const { db } = deps;
  const findComponent = componentFinder(await db.select({ id: components.id, name: components.name }).from(components));
  const answer: AlertsAnswer = { received: alerts.length, applied: 0, unmatched: [] };
  const effects: Effects = {};

  for (const alert of alerts) {
    const fingerprint = alert.fingerprint ?? (await sha256Hex(labelsIdentity(alert.labels))).slice(0, 16);
    const alertname = (alert.labels.alertname ?? "").slice(0, 200) || `alert ${fingerprint}`;
    const intent = readIntent(alert.labels, mapping);
    const found =
      "error" in intent
        ? { reason: intent.error }
        : intent.component === null
          ? { reason: "it has no component label" }
          : findComponent(intent.component);
    if ("reason" in found && answer.unmatched.length < maxUnmatchedListed) {
      const component = "error" in intent ? null : intent.component;
      answer.unmatched.push({ fingerprint, alertname, component, reason: found.reason });
    }

    const [recorded] = await db
      .select()
      .from(receivedAlerts)
      .where(and(eq(receivedAlerts.source, source), eq(receivedAlerts.fingerprint, fingerprint)));
    const move = alertMove(recorded, alert);
    if (move === "ignore") continue;

    // The component stays the one the firing named, even if a component was renamed since.
    const componentId = move === "fire" || !recorded ? ("id" in found ? found.id : null) : recorded.componentId;
    // A bad marquee_* label or a severity that asks for no status: recorded, and nothing is done.
    const acts =
      !("error" in intent) &&
      (move === "resolve" || (move === "fire" && intent.status !== "none" && intent.component !== null));
    if (acts) {
      const firing = move === "fire";
      const when = new Date(alert.startsAt).toISOString().slice(0, 16).replace("T", " ");
      const detected = await applyDetection(deps, {
        source: { kind: "alert", id: `${source}:${fingerprint}`, name: alertname },
        componentId,
        problem: firing && intent.status !== "none" ? intent.status : null,
        incident: intent.incident,
        notify: intent.notify,
        reason: `${source} alert ${firing ? "firing" : "resolved"} (since ${when} UTC${
          alert.labels.severity ? `, severity ${alert.labels.severity.slice(0, 50)}` : ""
        })${alert.summary ? `: ${alert.summary}` : ""}`,
        link: httpUrl(alert.generatorUrl),
      });
      mergeEffects(effects, detected.effects);
      // A detection that changed nothing (the resolution of an alert that asked for no status) has no effects.
      if (componentId !== null && detected.effects.wake) answer.applied++;
    }

    // Recorded after the detection: if this write fails, the sender's retry applies it again, which is harmless.
    const row: ReceivedAlert = {
      source,
      fingerprint,
      componentId,
      status: alert.status,
      startsAt: alert.startsAt,
      endsAt: alert.endsAt,
      labels: keptLabels(alert.labels),
      summary: alert.summary,
      updatedAt: deps.clock(),
    };
    await db
      .insert(receivedAlerts)
      .values(row)
      .onConflictDoUpdate({ target: [receivedAlerts.source, receivedAlerts.fingerprint], set: row });
  }

  await db
    .delete(receivedAlerts)
    .where(
      and(eq(receivedAlerts.status, "resolved"), lt(receivedAlerts.updatedAt, deps.clock() - resolvedAlertsKeptMs)),
    );
  return { value: answer, effects };
}

type ComponentRef = { id: string; name: string };

/** By id first, then by name without case; a name two components share matches neither. */
function componentFinder(rows: ComponentRef[]) {
  const byId = new Map(rows.map((r) => [r.id, r]));
  return (wanted: string): { id: string } | { reason: string } => {
    const exact = byId.get(wanted);
    if (exact) return { id: exact.id };
    const named = rows.filter((r) => r.name.toLowerCase() === wanted.toLowerCase());
    if (named.length === 1) return { id: named[0]!.id };
    return {
      reason:
        named.length === 0
          ? "no component has this id or name"
          : `${named.length} components have this name: use the id`,
    };
  };
}

function mergeEffects(into: Effects, more: Effects) {
  if (more.wake) into.wake = true;
  if (more.publish) {
    const incidents = [...(into.publish?.incidents ?? []), ...(more.publish.incidents ?? [])];
    into.publish = { ...into.publish, ...more.publish, ...(incidents.length > 0 && { incidents }) };
  }
}

function httpUrl(value: string | null): string | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:" ? url.href.slice(0, 2000) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Deliveries are handled one at a time per database in this process: an Alertmanager cluster may send the same
 * notification from two peers at once, and both must not read "not seen yet" before either records it.
 */
const queues = new WeakMap<object, Promise<unknown>>();
function oneAtATime<T>(key: object, work: () => Promise<T>): Promise<T> {
  const previous = queues.get(key) ?? Promise.resolve();
  const next = previous.then(work, work);
  queues.set(
    key,
    next.catch(() => {}),
  );
  return next;
}
