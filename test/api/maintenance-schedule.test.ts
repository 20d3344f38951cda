import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeApp } from "../support/app";
import {
  dbSnapshot,
  expectError,
  expectStatus,
  scheduleMaintenance,
  seededComponentId,
  type TestApp,
  type V2Maintenance,
} from "../support/factories";
import { incidentKeys } from "../support/statuspage-keys";
import { tick } from "@/api/services/tick";

// The test clock starts at 2026-11-25T12:00:00Z; the page's zone is UTC.
const start = "2026-12-04T08:00:00.000Z";
const end = "2026-12-04T10:00:00.000Z";

let t: TestApp;
beforeEach(async () => {
  t = await makeApp();
});
afterEach(async () => {
  await t.cleanup();
});

type Staff = V2Maintenance & { reminders: string[]; series_id: string | null };
type Series = { id: string; every: string; stopped_at: string | null; occurrences: { maintenance_id: string }[] };

const create = async (fields: Record<string, unknown>) =>
  (await scheduleMaintenance(t, { scheduled_for: start, scheduled_until: end, ...fields })) as Staff;

describe("a maintenance's reminders in the staff API", () => {
  it("default to 1 h before, and take any of 72h, 24h and 1h, or none", async () => {
    expect((await create({})).reminders).toEqual(["1h"]);
    expect((await create({ reminders: ["1h", "72h", "24h"] })).reminders).toEqual(["72h", "24h", "1h"]);
    const none = await create({ reminders: [] });
    expect(none.reminders).toEqual([]);
    expect(none.series_id).toBeNull();
    const read = await expectStatus<Staff>(await t.call("GET", `/api/v1/maintenances/${none.id}`), 200);
    expect(read.reminders).toEqual([]);
  });

  for (const reminders of [["2h"], "1h", ["1h", "1h"], [60], null]) {
    it(`refuses reminders ${JSON.stringify(reminders)} with 422, changing nothing`, async () => {
      const before = await dbSnapshot(t.deps);
      const body = { name: "Upgrade", scheduled_for: start, scheduled_until: end, reminders };
      const error = await expectError(await t.call("POST", "/api/v1/maintenances", body), 422, "validation_failed");
      expect(error.message).toMatch(/^reminders/);
      expect(await dbSnapshot(t.deps)).toEqual(before);
    });
  }

  it("PATCH reschedules it and chooses other reminders", async () => {
    const m = await create({});
    const res = await t.call("PATCH", `/api/v1/maintenances/${m.id}`, {
      scheduled_for: "2026-12-05T08:00:00Z",
      scheduled_until: "2026-12-05T09:00:00Z",
      reminders: ["24h"],
    });
    const moved = await expectStatus<Staff>(res, 200);
    expect([moved.scheduled_for, moved.scheduled_until]).toEqual([
      "2026-12-05T08:00:00.000Z",
      "2026-12-05T09:00:00.000Z",
    ]);
    expect(moved.reminders).toEqual(["24h"]);
  });

  it("PATCH refuses an unknown field, an end before the start, and a new start once under way", async () => {
    const m = await create({});
    await expectError(await t.call("PATCH", `/api/v1/maintenances/${m.id}`, { status: "x" }), 422, "validation_failed");
    await expectError(await t.call("PATCH", `/api/v1/maintenances/${m.id}`, {}), 422, "validation_failed");
    const early = { scheduled_until: "2026-12-04T07:00:00Z" };
    await expectError(await t.call("PATCH", `/api/v1/maintenances/${m.id}`, early), 422, "validation_failed");
    await t.call("POST", `/api/v1/maintenances/${m.id}/updates`, { status: "in_progress" });
    const later = { scheduled_for: "2026-12-05T08:00:00Z" };
    await expectError(await t.call("PATCH", `/api/v1/maintenances/${m.id}`, later), 409, "conflict");
    await expectError(await t.call("PATCH", "/api/v1/maintenances/nope", later), 404, "not_found");
  });

  it("PATCH needs a write key", async () => {
    const m = await create({});
    const res = await t.call("PATCH", `/api/v1/maintenances/${m.id}`, { name: "x" }, { scope: "read" });
    await expectError(res, 403, "forbidden");
  });
});

describe("a recurring maintenance in the staff API", () => {
  it("makes its first occurrence now and the next one when it starts, each an ordinary maintenance", async () => {
    const webtix = await seededComponentId(t, "Webtix");
    const first = await create({ components: [webtix], repeat: { every: "week", count: 4 } });
    expect(first.series_id).toEqual(expect.any(String));
    t.clock.set(start);
    await tick(t.deps, null);
    const series = await expectStatus<Series>(
      await t.call("GET", `/api/v1/maintenance-series/${first.series_id}`),
      200,
    );
    expect(series).toMatchObject({ every: "week", count: 4, local_time: "08:00", stopped_at: null });
    expect(series.occurrences).toHaveLength(2);
    const second = await expectStatus<Staff>(
      await t.call("GET", `/api/v1/maintenances/${series.occurrences[1]!.maintenance_id}`),
      200,
    );
    expect(second).toMatchObject({
      status: "scheduled",
      scheduled_for: "2026-12-11T08:00:00.000Z",
      series_id: series.id,
    });

    // In Statuspage's JSON it is a scheduled maintenance like any other, with Statuspage's keys only.
    await t.publisher.idle();
    const upcoming = (await (await t.app.request("/api/v2/scheduled-maintenances/upcoming.json")).json()) as {
      scheduled_maintenances: Record<string, unknown>[];
    };
    const [listed] = upcoming.scheduled_maintenances;
    expect(listed!.id).toBe(second.id);
    expect(Object.keys(listed!).sort()).toEqual([...incidentKeys, "scheduled_for", "scheduled_until"].sort());
  });

  it("DELETE stops the series and cancels the occurrence not started", async () => {
    const first = await create({ repeat: { every: "month" } });
    const res = await t.call("DELETE", `/api/v1/maintenance-series/${first.series_id}`);
    const stopped = await expectStatus<Series>(res, 200);
    expect(stopped.stopped_at).not.toBeNull();
    const m = await expectStatus<Staff>(await t.call("GET", `/api/v1/maintenances/${first.id}`), 200);
    expect(m.status).toBe("completed");
    expect(m.incident_updates[0]!.body).toMatch(/cancelled/);
  });

  it("PATCH ends it earlier; a stopped series takes no PATCH", async () => {
    const first = await create({ repeat: { every: "week" } });
    const path = `/api/v1/maintenance-series/${first.series_id}`;
    expect(await expectStatus<Series>(await t.call("PATCH", path, { count: 2 }), 200)).toMatchObject({ count: 2 });
    await t.call("DELETE", path);
    await expectError(await t.call("PATCH", path, { count: 3 }), 409, "conflict");
    await expectError(await t.call("GET", "/api/v1/maintenance-series/nope"), 404, "not_found");
  });

  for (const repeat of [
    { every: "day" },
    { every: "week", count: 0 },
    { every: "week", until: "next year" },
    { every: "week", until: "2026-12-01" },
    { every: "week", extra: true },
  ]) {
    it(`refuses repeat ${JSON.stringify(repeat)} with 422, changing nothing`, async () => {
      const before = await dbSnapshot(t.deps);
      const body = { name: "Upgrade", scheduled_for: start, scheduled_until: end, repeat };
      const error = await expectError(await t.call("POST", "/api/v1/maintenances", body), 422, "validation_failed");
      expect(error.message).toMatch(/^repeat/);
      expect(await dbSnapshot(t.deps)).toEqual(before);
    });
  }
});
