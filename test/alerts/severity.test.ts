import { describe, expect, it } from "vitest";
import { parseConfig } from "@/api/config";
import { defaultSeverityStatuses, parseSeverityStatuses, statusForLabels } from "@/api/alerts/severity";
import { keptLabels } from "@/api/alerts/alert-labels";

describe("ALERT_SEVERITY_STATUSES", () => {
  it("unset: the documented defaults", () => {
    expect(parseConfig({}).alertSeverityStatuses).toEqual({
      critical: "major_outage",
      major: "partial_outage",
      error: "partial_outage",
      warning: "degraded_performance",
      minor: "degraded_performance",
      info: "none",
      none: "none",
      "*": "major_outage",
    });
  });

  it("each entry replaces its severity's default, severities without case, others kept", () => {
    const mapping = parseConfig({
      ALERT_SEVERITY_STATUSES: " Critical=major_outage, warning=partial_outage,P3=none,*=degraded_performance",
    }).alertSeverityStatuses;
    expect(mapping).toEqual({
      ...defaultSeverityStatuses,
      critical: "major_outage",
      warning: "partial_outage",
      p3: "none",
      "*": "degraded_performance",
    });
    expect(statusForLabels({ severity: "WARNING" }, mapping)).toEqual({ status: "partial_outage" });
    expect(statusForLabels({ severity: "p5" }, mapping)).toEqual({ status: "degraded_performance" });
    expect(statusForLabels({}, mapping)).toEqual({ status: "degraded_performance" });
    expect(statusForLabels({ severity: "info", marquee_status: "Major_Outage" }, mapping)).toEqual({
      status: "major_outage",
    });
  });

  it("a bad value stops the start with a message naming the variable and the mistake", () => {
    for (const [value, mistake] of [
      ["critical=down", /"down" for severity "critical" is not one of major_outage, partial_outage/],
      ["critical", /"critical" is not severity=status/],
      ["critical=major_outage=x", /is not severity=status/],
      ["warning=under_maintenance", /"under_maintenance" for severity "warning"/],
      ["warning=operational", /"operational"/],
    ] as const) {
      expect(() => parseConfig({ ALERT_SEVERITY_STATUSES: value }), value).toThrow(/ALERT_SEVERITY_STATUSES: /);
      expect(() => parseConfig({ ALERT_SEVERITY_STATUSES: value }), value).toThrow(mistake);
    }
  });

  it("kept labels are cut to 200 characters a value and 4 KB in all", () => {
    const labels = Object.fromEntries(
      Array.from({ length: 40 }, (_, i) => [`l${String(i).padStart(2, "0")}`, "v".repeat(500)]),
    );
    const kept = keptLabels(labels);
    expect(Object.values(kept).every((v) => v.length === 200)).toBe(true);
    expect(JSON.stringify(kept).length).toBeLessThanOrEqual(4096);
    expect(Object.keys(kept)[0]).toBe("l00");
  });
});
