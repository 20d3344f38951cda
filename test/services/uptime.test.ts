import { describe, expect, it } from "vitest";
import { dailyUptime, loadUptime, type StatusChangeRow } from "@/api/services/uptime";
import { uptimePercent } from "@/present/uptime";
import { listComponents, updateComponent } from "@/api/services/components";
import { makeDeps } from "@/test/support/deps";

const at = (iso: string) => Date.parse(iso);
const HOUR = 3600;
const longAgo = at("2026-01-01T00:00:00Z");
const change = (
  changedAt: string,
  oldStatus: StatusChangeRow["oldStatus"],
  newStatus: StatusChangeRow["newStatus"],
) => ({
  changedAt: at(changedAt),
  oldStatus,
  newStatus,
});
const total = (seconds: Record<string, number>) => Object.values(seconds).reduce((a, b) => a + b, 0);

describe("daily uptime", () => {
  it("a change in the middle of a day splits that day's time between the two statuses", () => {
    const days = dailyUptime(
      [change("2026-11-25T10:00:00Z", "operational", "major_outage")],
      "major_outage",
      longAgo,
      ["2026-11-25", "2026-11-24"],
      "Etc/UTC",
      at("2026-11-25T15:20:00Z"),
    );
    expect(days[0]).toMatchObject({ day: "2026-11-25", worst: "major_outage" });
    expect(days[0]!.seconds).toMatchObject({ operational: 10 * HOUR, major_outage: 5 * HOUR + 20 * 60 });
    expect(days[1]).toMatchObject({ day: "2026-11-24", worst: "operational" });
    expect(days[1]!.seconds.operational).toBe(24 * HOUR);
  });

  it("a day spent entirely in a major outage counts all its seconds as major outage", () => {
    const days = dailyUptime(
      [
        change("2026-11-25T02:00:00Z", "major_outage", "operational"),
        change("2026-11-23T20:00:00Z", "operational", "major_outage"),
      ],
      "operational",
      longAgo,
      ["2026-11-25", "2026-11-24", "2026-11-23"],
      "Etc/UTC",
      at("2026-11-25T12:00:00Z"),
    );
    expect(days.map((d) => d.worst)).toEqual(["major_outage", "major_outage", "major_outage"]);
    expect(days[1]!.seconds).toEqual({
      operational: 0,
      degraded_performance: 0,
      partial_outage: 0,
      major_outage: 24 * HOUR,
      under_maintenance: 0,
    });
    expect(days[2]!.seconds).toMatchObject({ operational: 20 * HOUR, major_outage: 4 * HOUR });
    expect(uptimePercent(days.slice(1, 2))).toBe(0);
  });

  it("without changes in the window, the current status fills every day", () => {
    const days = dailyUptime([], "partial_outage", longAgo, ["2026-11-24"], "Etc/UTC", at("2026-11-25T12:00:00Z"));
    expect(days[0]).toMatchObject({ worst: "partial_outage", seconds: { partial_outage: 24 * HOUR } });
  });

  it("maintenance counts as up, outages do not", () => {
    const days = dailyUptime(
      [
        change("2026-11-24T06:00:00Z", "operational", "under_maintenance"),
        change("2026-11-24T12:00:00Z", "under_maintenance", "major_outage"),
        change("2026-11-24T13:00:00Z", "major_outage", "operational"),
      ],
      "operational",
      longAgo,
      ["2026-11-25", "2026-11-24"],
      "Etc/UTC",
      at("2026-11-26T00:00:00Z"),
    );
    expect(days[1]!.worst).toBe("major_outage");
    expect(days[1]!.seconds.under_maintenance).toBe(6 * HOUR);
    // 1 hour down out of 48 tracked.
    expect(uptimePercent(days)).toBe(97.92);
    expect(uptimePercent(days.slice(0, 1))).toBe(100);
  });

  it("days before the component existed have no data and do not count against uptime", () => {
    const days = dailyUptime(
      [],
      "operational",
      at("2026-11-24T18:00:00Z"),
      ["2026-11-25", "2026-11-24", "2026-11-23"],
      "Etc/UTC",
      at("2026-11-25T06:00:00Z"),
    );
    expect(days.map((d) => d.worst)).toEqual(["operational", "operational", null]);
    expect(total(days[2]!.seconds)).toBe(0);
    expect(days[1]!.seconds.operational).toBe(6 * HOUR);
    expect(days[0]!.seconds.operational).toBe(6 * HOUR);
    expect(uptimePercent(days)).toBe(100);
  });

  it("the day clocks go forward in Europe/Paris lasts 23 hours", () => {
    const days = dailyUptime(
      [change("2026-03-29T10:00:00Z", "degraded_performance", "operational")],
      "operational",
      longAgo,
      ["2026-03-29"],
      "Europe/Paris",
      at("2026-04-01T00:00:00Z"),
    );
    expect(total(days[0]!.seconds)).toBe(23 * HOUR);
    // Paris midnight is 22:00 UTC the day before; at 10:00 UTC the day is 11 hours old.
    expect(days[0]!.seconds).toMatchObject({ degraded_performance: 11 * HOUR, operational: 12 * HOUR });
  });
});

describe("loading uptime", () => {
  it("reads the recorded status changes of every component, newest day first", async () => {
    const env = await makeDeps();
    try {
      const tix1 = (await listComponents(env.deps)).find((c) => c.name === "tix1")!;
      env.clock.advance(HOUR * 1000);
      await updateComponent(env.deps, tix1.id, { status: "major_outage" });
      env.clock.advance(1800 * 1000);
      const components = await listComponents(env.deps);
      const uptime = await loadUptime(env.deps.db, components, env.clock(), "Etc/UTC");
      expect(Object.keys(uptime).sort()).toEqual(components.map((c) => c.id).sort());
      const days = uptime[tix1.id]!.days;
      expect(days).toHaveLength(90);
      expect(days[0]).toMatchObject({ day: "2026-11-25", worst: "major_outage" });
      expect(days[0]!.seconds).toMatchObject({ operational: HOUR, major_outage: 1800 });
      expect(days[1]!.worst).toBeNull();
      expect(uptime[tix1.id]!.percent).toBe(66.67);
    } finally {
      env.cleanup();
    }
  });
});
