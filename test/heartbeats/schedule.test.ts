import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { expectedAfter, scheduleProblem } from "@/api/heartbeats/schedule";
import { heartbeatApp } from "./heartbeat-app";

const berlin = { periodSeconds: null, timeZone: "Europe/Berlin", graceSeconds: 600 };

describe("cron schedules read in a time zone", () => {
  it("a daily 03:00 job in Berlin is expected 23 hours later when the clocks go forward, 25 when they go back", () => {
    const daily = { ...berlin, schedule: "0 3 * * *" };
    // Saturday 28 March 2026, 03:00:10 CET; Sunday's 03:00 is CEST.
    expect(new Date(expectedAfter(daily, Date.parse("2026-03-28T02:00:10Z"))!).toISOString()).toBe(
      "2026-03-29T01:00:00.000Z",
    );
    // Saturday 24 October 2026, 03:00:10 CEST; Sunday's 03:00 is CET.
    expect(new Date(expectedAfter(daily, Date.parse("2026-10-24T01:00:10Z"))!).toISOString()).toBe(
      "2026-10-25T02:00:00.000Z",
    );
  });

  it("a job due in the hour that does not exist on the spring change is expected when the clocks have gone forward", () => {
    const early = { ...berlin, schedule: "30 2 * * *" };
    expect(new Date(expectedAfter(early, Date.parse("2026-03-28T01:30:05Z"))!).toISOString()).toBe(
      "2026-03-29T01:00:00.000Z",
    );
  });

  it("knows 5-field expressions only, and ones that run", () => {
    expect(scheduleProblem("*/15 * * * 1-5", "UTC")).toBeNull();
    expect(scheduleProblem("0 0 * * * *", "UTC")).toMatch(/5 fields/);
    expect(scheduleProblem("0 0 31 2 *", "UTC")).toBe("never runs");
    expect(scheduleProblem("0 25 * * *", "UTC")).toMatch(/not a valid cron expression/);
  });
});

describe("a heartbeat on a schedule across the change to summer time", () => {
  let h: Awaited<ReturnType<typeof heartbeatApp>>;
  beforeEach(async () => {
    h = await heartbeatApp();
  });
  afterEach(async () => {
    await h.t.cleanup();
  });

  it("is late at Sunday's 03:00 CEST and down 10 minutes later, not an hour later as a 24-hour period would say", async () => {
    h.t.clock.set("2026-03-28T02:00:10Z");
    const beat = await h.create({
      period_seconds: undefined,
      schedule: "0 3 * * *",
      time_zone: "Europe/Berlin",
      grace_seconds: 600,
    });
    await h.ping(beat.ping_url);
    expect((await h.get(beat.id)).late_at).toBe("2026-03-29T01:00:00.000Z");
    h.t.clock.set("2026-03-29T00:59:59Z");
    await h.tick();
    expect((await h.get(beat.id)).state).toBe("up");
    h.t.clock.set("2026-03-29T01:05:00Z");
    await h.tick();
    expect((await h.get(beat.id)).state).toBe("late");
    h.t.clock.set("2026-03-29T01:10:00Z");
    await h.tick();
    expect(await h.get(beat.id)).toMatchObject({ state: "down" });
    expect((await h.get(beat.id)).down_reason).toBe(
      'no ping since 2026-03-28 02:00 UTC (schedule "0 3 * * *" in Europe/Berlin, grace 10 min)',
    );
    expect(await h.automaticState(beat.id)).toMatchObject({ problem: true });
  });
});
