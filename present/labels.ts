import type { ComponentStatus, Impact, UpdateStatus } from "@/db/schema";
import { formatDay, formatDuration } from "./time";
import type { DayUptime, Indicator } from "./views";

export const componentStatusLabels: Record<ComponentStatus, string> = {
  operational: "Operational",
  degraded_performance: "Degraded Performance",
  partial_outage: "Partial Outage",
  major_outage: "Major Outage",
  under_maintenance: "Under Maintenance",
};

export const updateStatusLabels: Record<UpdateStatus, string> = {
  investigating: "Investigating",
  identified: "Identified",
  monitoring: "Monitoring",
  resolved: "Resolved",
  postmortem: "Postmortem",
  scheduled: "Scheduled",
  in_progress: "In progress",
  verifying: "Verifying",
  completed: "Completed",
};

export const impactLabels: Record<Impact, string> = {
  none: "No impact",
  minor: "Minor impact",
  major: "Major impact",
  critical: "Critical impact",
  maintenance: "Maintenance",
};

/** The five looks a state can have; each pairs a colour with its own icon shape, and always with words. */
export type Tone = "ok" | "minor" | "major" | "critical" | "maintenance";

export const componentStatusTones: Record<ComponentStatus, Tone> = {
  operational: "ok",
  degraded_performance: "minor",
  partial_outage: "major",
  major_outage: "critical",
  under_maintenance: "maintenance",
};

export const indicatorTones: Record<Indicator, Tone> = {
  none: "ok",
  minor: "minor",
  major: "major",
  critical: "critical",
  maintenance: "maintenance",
};

export const impactTones: Record<Impact, Tone> = indicatorTones;

// Worst first, so the label leads with what mattered most that day.
const notableStatuses: ComponentStatus[] = [
  "major_outage",
  "partial_outage",
  "degraded_performance",
  "under_maintenance",
];

/** "Nov 25, 2026: Major Outage for 1 h 20 min" — the words a day's uptime bar carries besides its colour. */
export function uptimeDayLabel({ day, worst, seconds }: DayUptime): string {
  if (worst === null) return `${formatDay(day)}: No data`;
  const parts = notableStatuses
    .filter((s) => seconds[s] > 0)
    .map((s) => `${componentStatusLabels[s]} for ${formatDuration(seconds[s])}`);
  return `${formatDay(day)}: ${parts.length > 0 ? parts.join(", ") : "No downtime"}`;
}
