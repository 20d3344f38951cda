import { type ComponentStatus, componentStatuses } from "@/db/vocabulary";

/**
 * What an alert's `severity` label asks of its component: a status, or `none` (the alert is recorded and changes
 * nothing). `under_maintenance` is staff's to set, never an alert's.
 */
export type AlertStatus = Exclude<ComponentStatus, "operational" | "under_maintenance"> | "none";
export type SeverityStatuses = Readonly<Record<string, AlertStatus>>;

export const alertStatuses = ["major_outage", "partial_outage", "degraded_performance", "none"] as const satisfies (
  AlertStatus | (typeof componentStatuses)[number]
)[];

/** The default mapping (docs/automatic-status.md); ALERT_SEVERITY_STATUSES replaces or adds entries. */
export const defaultSeverityStatuses: SeverityStatuses = {
  critical: "major_outage",
  major: "partial_outage",
  error: "partial_outage",
  warning: "degraded_performance",
  minor: "degraded_performance",
  info: "none",
  none: "none",
  // Any other severity, or none at all: the rule names a component, so whoever wrote it meant the page to show it.
  "*": "major_outage",
};

const isAlertStatus = (v: string): v is AlertStatus => (alertStatuses as readonly string[]).includes(v);

/**
 * Reads `critical=major_outage,warning=partial_outage`: each entry replaces the default for its severity (severities
 * compared without case; `*` stands for any other severity, or none). Throws a message that says what is wrong, for the configuration error.
 */
export function parseSeverityStatuses(value: string | undefined): SeverityStatuses {
  const mapping: Record<string, AlertStatus> = { ...defaultSeverityStatuses };
  if (value === undefined || value.trim() === "") return mapping;
  for (const entry of value.split(",")) {
    if (entry.trim() === "") continue;
    const [severity, status, ...rest] = entry.split("=").map((s) => s.trim());
    if (!severity || status === undefined || rest.length > 0) {
      throw new Error(`"${entry.trim()}" is not severity=status (e.g. critical=major_outage,warning=partial_outage)`);
    }
    if (!isAlertStatus(status)) {
      throw new Error(`"${status}" for severity "${severity}" is not one of ${alertStatuses.join(", ")}`);
    }
    mapping[severity.toLowerCase()] = status;
  }
  return mapping;
}

/**
 * The status an alert asks for: its `marquee_status` label if it has one, else its `severity` by the mapping. An
 * unknown `marquee_status` is reported, not guessed.
 */
export function statusForLabels(
  labels: Readonly<Record<string, string>>,
  mapping: SeverityStatuses,
): { status: AlertStatus } | { error: string } {
  const override = labels.marquee_status?.trim().toLowerCase();
  if (override) {
    return isAlertStatus(override)
      ? { status: override }
      : { error: `marquee_status "${override}" is not one of ${alertStatuses.join(", ")}` };
  }
  const severity = labels.severity?.trim().toLowerCase();
  return {
    status: severity && Object.hasOwn(mapping, severity) ? mapping[severity]! : (mapping["*"] ?? "major_outage"),
  };
}
