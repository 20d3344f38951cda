import { describe, expect, it } from "vitest";
import { deriveOverallStatus, impactFromStatuses, worstStatus } from "@/api/services/overall-status";
import type { ComponentStatus } from "@/db/schema";

const many = (status: ComponentStatus, n: number) => Array<ComponentStatus>(n).fill(status);
const ops = (n: number) => many("operational", n);

describe("the page's overall status", () => {
  it.each([
    ["no components", [], "none", "All Systems Operational"],
    ["everything operational", ops(7), "none", "All Systems Operational"],
    ["one server of seven down", ["major_outage", ...ops(6)], "major", "Partial System Outage"],
    ["every component down", many("major_outage", 3), "critical", "Major System Outage"],
    ["the only component down", ["major_outage"], "critical", "Major System Outage"],
    ["one partial outage among many", ["partial_outage", ...ops(10)], "minor", "Minor Service Outage"],
    ["every component partially out", many("partial_outage", 2), "major", "Partial System Outage"],
    ["one degraded among many", ["degraded_performance", ...ops(3)], "minor", "Partially Degraded Service"],
    ["the only component degraded", ["degraded_performance"], "minor", "Partially Degraded Service"],
    ["every component degraded", many("degraded_performance", 4), "minor", "Degraded System Service"],
    ["maintenance only", ["under_maintenance", ...ops(2)], "maintenance", "Service Under Maintenance"],
    [
      "an outage during maintenance",
      ["under_maintenance", "partial_outage", ...ops(2)],
      "minor",
      "Minor Service Outage",
    ],
  ] as const)("with %s reads like Statuspage", (_case, leaves, indicator, description) => {
    expect(deriveOverallStatus(leaves)).toEqual({ indicator, description });
  });

  it("uses exactly Atlassian's seven description strings", () => {
    const statuses: ComponentStatus[] = [
      "operational",
      "degraded_performance",
      "partial_outage",
      "major_outage",
      "under_maintenance",
    ];
    const seen = new Set<string>();
    for (const a of statuses)
      for (const b of statuses)
        for (const n of [1, 2, 5]) {
          seen.add(deriveOverallStatus([a, ...many(b, n)]).description);
          seen.add(deriveOverallStatus(many(a, n)).description);
        }
    expect([...seen].sort()).toEqual(
      [
        "All Systems Operational",
        "Degraded System Service",
        "Major System Outage",
        "Minor Service Outage",
        "Partial System Outage",
        "Partially Degraded Service",
        "Service Under Maintenance",
      ].sort(),
    );
  });
});

describe("a group's status", () => {
  it("is its worst member's, with outages above maintenance", () => {
    expect(worstStatus([])).toBe("operational");
    expect(worstStatus(["operational", "degraded_performance"])).toBe("degraded_performance");
    expect(worstStatus(["under_maintenance", "partial_outage"])).toBe("partial_outage");
    expect(worstStatus(["major_outage", "under_maintenance"])).toBe("major_outage");
  });
});

describe("an incident's default impact", () => {
  it("follows the worst status it gives its components", () => {
    expect(impactFromStatuses([])).toBe("none");
    expect(impactFromStatuses(["degraded_performance"])).toBe("minor");
    expect(impactFromStatuses(["partial_outage", "degraded_performance"])).toBe("major");
    expect(impactFromStatuses(["major_outage"])).toBe("critical");
    expect(impactFromStatuses(["under_maintenance"])).toBe("maintenance");
  });
});
