import type { ComponentStatus, Impact, UpdateStatus } from "@/db/schema";
import type { Indicator } from "@/api/services/overall-status";

export { componentStatusLabels } from "@/api/services/overall-status";

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
