import type { ComponentStatus, Impact } from "@/db/schema";
import { componentStatusLabels } from "@/present/labels";
import type { Indicator, OverallStatus } from "@/present/views";

const severity: Record<ComponentStatus, number> = {
  operational: 0,
  under_maintenance: 1,
  degraded_performance: 2,
  partial_outage: 3,
  major_outage: 4,
};

/** The worst of several statuses, e.g. a group's status from its members. Outages win over maintenance. */
export function worstStatus(statuses: readonly ComponentStatus[]): ComponentStatus {
  return statuses.reduce<ComponentStatus>((worst, s) => (severity[s] > severity[worst] ? s : worst), "operational");
}

/**
 * Statuspage's page-level indicator and description, blended from the leaf components' statuses
 * (reference/statuspage-v2.md §2.7; the seven description strings are Atlassian's own). Open incidents do not move
 * it: Statuspage's does not either, and clients compare the two.
 */
export function deriveOverallStatus(leaves: readonly ComponentStatus[]): OverallStatus {
  const count = (s: ComponentStatus) => leaves.filter((l) => l === s).length;
  const all = (s: ComponentStatus) => leaves.length > 0 && count(s) === leaves.length;
  if (count("major_outage") > 0) {
    return all("major_outage")
      ? { indicator: "critical", description: "Major System Outage" }
      : { indicator: "major", description: "Partial System Outage" };
  }
  if (count("partial_outage") > 0) {
    return all("partial_outage")
      ? { indicator: "major", description: "Partial System Outage" }
      : { indicator: "minor", description: "Minor Service Outage" };
  }
  if (count("degraded_performance") > 0) {
    return all("degraded_performance") && leaves.length > 1
      ? { indicator: "minor", description: "Degraded System Service" }
      : { indicator: "minor", description: "Partially Degraded Service" };
  }
  if (count("under_maintenance") > 0) return { indicator: "maintenance", description: "Service Under Maintenance" };
  return { indicator: "none", description: "All Systems Operational" };
}

/** The impact an incident gets when staff do not set one: from the worst status it gives its components. */
export function impactFromStatuses(statuses: readonly ComponentStatus[]): Impact {
  switch (worstStatus(statuses)) {
    case "major_outage":
      return "critical";
    case "partial_outage":
      return "major";
    case "degraded_performance":
      return "minor";
    case "under_maintenance":
      return "maintenance";
    default:
      return "none";
  }
}
