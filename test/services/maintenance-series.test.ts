import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { asc, eq } from "drizzle-orm";
import { openNodeDb } from "@/db/node";
import { incidents, maintenanceOccurrences } from "@/db/schema";
import { deleteComponent, listComponents } from "@/api/services/components";
import { deleteIncident } from "@/api/services/incidents";
import { editSeries, makeDueOccurrences, planMaintenance, stopSeries } from "@/api/services/maintenance-series";
import { updatePageSettings } from "@/api/services/page-settings";
import { instantOfLocal, occurrenceDate, occurrenceStart } from "@/api/services/recurrence";
import type { MaintenanceCreate } from "@/api/schemas";
import { makeDeps } from "@/test/support/deps";
import { racingPair } from "@/test/support/racing";

const berlin = "Europe/Berlin";
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

describe("when a recurring maintenance's occurrences fall", () => {
  it("weekly at 09:00 in Berlin stays 09:00 local across both clock changes, so UTC moves by an hour", () => {
    const weekly = { every: "week", firstDate: "2026-03-20", localTime: "09:00", until: null, count: null } as const;
    const starts = [0, 1, 2].map((n) => iso(occurrenceStart(weekly, n, berlin)));
    expect(starts).toEqual(["2026-03-20T08:00:00.000Z", "2026-03-27T08:00:00.000Z", "2026-04-03T07:00:00.000Z"]);
    const autumn = { ...weekly, firstDate: "2026-10-16" };
    const after = [0, 1, 2].map((n) => iso(occurrenceStart(autumn, n, berlin)));
    expect(after).toEqual(["2026-10-16T07:00:00.000Z", "2026-10-23T07:00:00.000Z", "2026-10-30T08:00:00.000Z"]);
  });

  it("02:30 on the night Berlin skips from 02:00 to 03:00 takes the next valid time, 03:00", () => {
    expect(iso(instantOfLocal("2026-03-29", "02:30", berlin))).toBe("2026-03-29T01:00:00.000Z");
    const weekly = { every: "week", firstDate: "2026-03-22", localTime: "02:30", until: null, count: null } as const;
    expect([0, 1, 2].map((n) => iso(occurrenceStart(weekly, n, berlin)))).toEqual([
      "2026-03-22T01:30:00.000Z",
      "2026-03-29T01:00:00.000Z",
      "2026-04-05T00:30:00.000Z",
    ]);
  });

  it("02:30 on the night 02:00–03:00 happens twice takes the first one", () => {
    expect(iso(instantOfLocal("2026-10-25", "02:30", berlin))).toBe("2026-10-25T00:30:00.000Z");
  });

  it("monthly on the 31st falls on the last day of shorter months", () => {
    const monthly = { every: "month", firstDate: "2027-01-31" } as const;
    expect([0, 1, 2, 3, 4].map((n) => occurrenceDate(monthly, n))).toEqual([
      "2027-01-31",
      "2027-02-28",
      "2027-03-31",
      "2027-04-30",
      "2027-05-31",
    ]);
    expect(occurrenceDate({ every: "month", firstDate: "2027-12-31" }, 2)).toBe("2028-02-29");
  });

  it("ends after `count` occurrences or after the `until` date", () => {
    const r = { every: "week", firstDate: "2026-12-01", localTime: "09:00", until: null, count: 2 } as const;
    expect(occurrenceStart(r, 1, "UTC")).not.toBeNull();
    expect(occurrenceStart(r, 2, "UTC")).toBeNull();
    const until = { ...r, count: null, until: "2026-12-15" };
    expect(occurrenceStart(until, 2, "UTC")).not.toBeNull();
    expect(occurrenceStart(until, 3, "UTC")).toBeNull();
  });
});

let env: Awaited<ReturnType<typeof makeDeps>>;
beforeEach(async () => {
  env = await makeDeps();
  await updatePageSettings(env.deps, { time_zone: berlin });
});
afterEach(() => env.cleanup());

const hour = 3_600_000;

async function weekly(first: string, repeat: MaintenanceCreate["repeat"] = { every: "week" }) {
  const webtix = (await listComponents(env.deps)).find((c) => c.name === "Webtix")!.id;
  const { value } = await planMaintenance(env.deps, {
    name: "Weekly Webtix patching",
    scheduled_for: Date.parse(first),
    scheduled_until: Date.parse(first) + 2 * hour,
    components: [webtix],
    auto_transition: true,
    notify: false,
    reminders: ["1h"],
    repeat,
  });
  return value;
}

/** The series' maintenances, first first, with their windows. */
const occurrences = async () =>
  (
    await env.deps.db
      .select({ number: maintenanceOccurrences.number, m: incidents })
      .from(maintenanceOccurrences)
      .innerJoin(incidents, eq(incidents.id, maintenanceOccurrences.maintenanceId))
      .orderBy(asc(maintenanceOccurrences.number))
  ).map((r) => ({ number: r.number, status: r.m.status, from: iso(r.m.scheduledFor), until: iso(r.m.scheduledUntil) }));

describe("a recurring maintenance's occurrences, made by the tick with an injected clock", () => {
  it("makes the next occurrence when one starts, at 09:00 Berlin across the October change", async () => {
    // The test clock starts at 2026-11-25T12:00Z; this series starts in December and crosses no change, so set
    // the clock back to October.
    env.clock.set("2026-10-01T00:00:00Z");
    await weekly("2026-10-16T07:00:00Z");
    expect((await makeDueOccurrences(env.deps)).value).toEqual([]);
    env.clock.set("2026-10-16T07:00:00Z");
    await makeDueOccurrences(env.deps);
    env.clock.set("2026-10-23T07:00:00Z");
    await makeDueOccurrences(env.deps);
    expect(await occurrences()).toEqual([
      { number: 0, status: "completed", from: "2026-10-16T07:00:00.000Z", until: "2026-10-16T09:00:00.000Z" },
      { number: 1, status: "in_progress", from: "2026-10-23T07:00:00.000Z", until: "2026-10-23T09:00:00.000Z" },
      { number: 2, status: "scheduled", from: "2026-10-30T08:00:00.000Z", until: "2026-10-30T10:00:00.000Z" },
    ]);
  });

  it("makes each occurrence once, however often the tick runs", async () => {
    env.clock.set("2026-12-01T00:00:00Z");
    await weekly("2026-12-04T08:00:00Z");
    env.clock.set("2026-12-04T08:00:01Z");
    for (let i = 0; i < 3; i++) await makeDueOccurrences(env.deps);
    expect((await occurrences()).map((o) => o.number)).toEqual([0, 1]);
  });

  it("two ticks racing on one database file make an occurrence once", async () => {
    env.clock.set("2026-12-01T00:00:00Z");
    await weekly("2026-12-04T08:00:00Z");
    env.clock.set("2026-12-04T08:00:01Z");
    const second = openNodeDb(join(env.dir, "marquee.db"));
    try {
      const [one, two] = racingPair(env.deps.db, second.db);
      const [a, b] = await Promise.all([
        makeDueOccurrences({ ...env.deps, db: one }),
        makeDueOccurrences({ ...env.deps, db: two }),
      ]);
      expect(a.value.length + b.value.length).toBe(1);
      expect((await occurrences()).map((o) => o.number)).toEqual([0, 1]);
      expect(await env.deps.db.select().from(incidents).where(eq(incidents.kind, "maintenance"))).toHaveLength(2);
    } finally {
      second.close();
    }
  });

  it("does not make occurrences late after the server was down, and stops at `count`", async () => {
    env.clock.set("2026-12-01T00:00:00Z");
    await weekly("2026-12-04T08:00:00Z", { every: "week", count: 3 });
    env.clock.set("2026-12-12T00:00:00Z");
    await makeDueOccurrences(env.deps);
    env.clock.set("2026-12-30T00:00:00Z");
    await makeDueOccurrences(env.deps);
    expect((await occurrences()).map((o) => o.number)).toEqual([0, 2]);
  });

  it("stopping the series cancels what has not started and makes no more", async () => {
    env.clock.set("2026-12-01T00:00:00Z");
    const first = await weekly("2026-12-04T08:00:00Z");
    env.clock.set("2026-12-04T08:00:01Z");
    await makeDueOccurrences(env.deps);
    const [series] = await env.deps.db.select().from(maintenanceOccurrences);
    await stopSeries(env.deps, series!.seriesId);
    env.clock.set("2026-12-20T00:00:00Z");
    await makeDueOccurrences(env.deps);
    const all = await occurrences();
    expect(all.map((o) => [o.number, o.status])).toEqual([
      [0, "in_progress"],
      [1, "completed"],
    ]);
    expect(all[0]!.from).toBe(iso(first.scheduledFor));
  });

  it("an earlier `until` cancels the occurrences already made after it", async () => {
    env.clock.set("2026-12-01T00:00:00Z");
    await weekly("2026-12-04T08:00:00Z");
    env.clock.set("2026-12-04T08:00:01Z");
    await makeDueOccurrences(env.deps);
    const [series] = await env.deps.db.select().from(maintenanceOccurrences);
    await editSeries(env.deps, series!.seriesId, { until: "2026-12-05" });
    expect((await occurrences()).map((o) => o.status)).toEqual(["in_progress", "completed"]);
  });

  it("an occurrence staff deleted is not made again", async () => {
    env.clock.set("2026-12-01T00:00:00Z");
    await weekly("2026-12-04T08:00:00Z");
    env.clock.set("2026-12-04T08:00:01Z");
    const [next] = (await makeDueOccurrences(env.deps)).value;
    await deleteIncident(env.deps, next!, "maintenance");
    await makeDueOccurrences(env.deps);
    expect((await occurrences()).map((o) => o.number)).toEqual([0]);
    const rows = await env.deps.db.select().from(maintenanceOccurrences).orderBy(asc(maintenanceOccurrences.number));
    expect(rows.map((r) => [r.number, r.maintenanceId === null])).toEqual([
      [0, false],
      [1, true],
    ]);
  });

  it("a component deleted since is left out of the next occurrence instead of stopping the series", async () => {
    env.clock.set("2026-12-01T00:00:00Z");
    const first = await weekly("2026-12-04T08:00:00Z");
    await deleteComponent(env.deps, first.components[0]!.id);
    env.clock.set("2026-12-04T08:00:01Z");
    const [next] = (await makeDueOccurrences(env.deps)).value;
    expect(next).toEqual(expect.any(String));
  });
});
