import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { auditLog, heartbeats } from "@/db/schema";
import { expectError, expectStatus, seededComponentId } from "../support/factories";
import { type HeartbeatAnswer, heartbeatApp } from "./heartbeat-app";

let h: Awaited<ReturnType<typeof heartbeatApp>>;
beforeEach(async () => {
  h = await heartbeatApp();
});
afterEach(async () => {
  await h.t.cleanup();
});

const minutes = (n: number) => n * 60_000;
const list = async () => expectStatus<HeartbeatAnswer[]>(await h.t.call("GET", "/api/v1/heartbeats"), 200);

describe("the heartbeat API", () => {
  it("creates a heartbeat with a secret ping URL under the page's address, shown only at creation", async () => {
    const beat = await h.create({ name: "Database backup" });
    expect(beat).toMatchObject({ name: "Database backup", state: "new", period_seconds: 3600, grace_seconds: 600 });
    const url = new URL(beat.ping_url);
    expect(url.origin).toBe("https://status.example.com");
    const token = url.pathname.match(/^\/ping\/([0-9a-f]+)$/)![1]!;
    expect(token.length * 4).toBeGreaterThanOrEqual(128);
    expect(await h.get(beat.id)).not.toHaveProperty("ping_url");
    expect((await list()).map((b) => [b.id, "ping_url" in b])).toEqual([[beat.id, false]]);
    // Neither the heartbeat's row nor the audit log holds the token.
    const stored = JSON.stringify([
      await h.t.deps.db.select().from(heartbeats),
      await h.t.deps.db.select().from(auditLog),
    ]);
    expect(stored).not.toContain(token);
  });

  it("changes a heartbeat: a schedule replaces the period, and the new timing counts from the last ping", async () => {
    const beat = await h.create();
    await h.ping(beat.ping_url);
    const res = await h.t.call("PATCH", `/api/v1/heartbeats/${beat.id}`, {
      schedule: "30 12 * * *",
      time_zone: "Europe/Berlin",
      name: "Daily export",
    });
    expect(await expectStatus<HeartbeatAnswer>(res, 200)).toMatchObject({
      name: "Daily export",
      period_seconds: null,
      schedule: "30 12 * * *",
      time_zone: "Europe/Berlin",
      // 12:30 in Berlin is 11:30 UTC; the last ping was at 12:00 UTC, so the next run is tomorrow's.
      late_at: "2026-11-26T11:30:00.000Z",
    });
  });

  it("refuses bad input with a 422 naming the field, and creates nothing", async () => {
    const tries: [Record<string, unknown>, string][] = [
      [{ schedule: "61 * * * *", period_seconds: undefined }, "schedule"],
      [{ schedule: "* * * * * *", period_seconds: undefined }, "schedule"],
      [{ schedule: "0 0 30 2 *", period_seconds: undefined }, "schedule"],
      [{ schedule: "0 3 * * *", time_zone: "Mars/Olympus", period_seconds: undefined }, "time_zone"],
      [{ period_seconds: 30 }, "period_seconds"],
      [{ grace_seconds: 10 }, "grace_seconds"],
      [{ period_seconds: undefined }, "period_seconds"],
      [{ schedule: "0 3 * * *" }, "period_seconds"],
      [{ down_status: "operational" }, "down_status"],
      [{ name: "" }, "name"],
      [{ colour: "red" }, ""],
    ];
    for (const [fields, path] of tries) {
      const res = await h.t.call("POST", "/api/v1/heartbeats", {
        name: "Backup",
        period_seconds: 3600,
        ...fields,
      });
      const error = await expectError(res, 422, "validation_failed");
      expect(error.message.startsWith(path), `${JSON.stringify(fields)}: ${error.message}`).toBe(true);
    }
    const unknown = await h.t.call("POST", "/api/v1/heartbeats", {
      name: "Backup",
      period_seconds: 3600,
      component_id: "nosuchthing1",
    });
    expect((await expectError(unknown, 422, "validation_failed")).message).toBe("Unknown component id: nosuchthing1");
    expect(await list()).toEqual([]);
  });

  it("refuses a bad change, and keeps the heartbeat as it was", async () => {
    const beat = await h.create();
    for (const patch of [{}, { schedule: "every day" }, { period_seconds: 60, schedule: "0 3 * * *" }]) {
      await expectError(await h.t.call("PATCH", `/api/v1/heartbeats/${beat.id}`, patch), 422, "validation_failed");
    }
    const tz = await h.t.call("PATCH", `/api/v1/heartbeats/${beat.id}`, { time_zone: "Nowhere/City" });
    await expectError(tz, 422, "validation_failed");
    expect(await h.get(beat.id)).toMatchObject({ period_seconds: 3600, schedule: null, time_zone: "UTC" });
    await expectError(await h.t.call("GET", "/api/v1/heartbeats/nosuchthing1"), 404, "not_found");
  });

  it("needs a key, and a write key to change anything", async () => {
    await expectError(await h.t.call("GET", "/api/v1/heartbeats", undefined, { scope: null }), 401, "unauthorized");
    const res = await h.t.call("POST", "/api/v1/heartbeats", { name: "x", period_seconds: 60 }, { scope: "read" });
    await expectError(res, 403, "forbidden");
  });
});

describe("rotating the ping URL", () => {
  it("gives a new URL that works, and the old one stops working at once", async () => {
    const beat = await h.create();
    const rotated = await expectStatus<{ ping_url: string }>(
      await h.t.call("POST", `/api/v1/heartbeats/${beat.id}/rotate`),
      200,
    );
    expect(rotated.ping_url).not.toBe(beat.ping_url);
    expect((await h.ping(beat.ping_url)).status).toBe(404);
    expect((await h.ping(rotated.ping_url)).status).toBe(200);
    expect((await h.get(beat.id)).state).toBe("up");
  });
});

describe("pausing", () => {
  it("a paused heartbeat answers pings with 200, logs them, and changes nothing; time does not make it down", async () => {
    const beat = await h.create({ paused: true });
    expect((await h.ping(beat.ping_url, "/fail")).status).toBe(200);
    h.t.clock.advance(minutes(600));
    await h.tick();
    expect(await h.get(beat.id)).toMatchObject({ state: "new", paused: true });
    const pings = await (await h.t.call("GET", `/api/v1/heartbeats/${beat.id}/pings`)).json();
    expect(pings).toMatchObject([{ kind: "fail", ignored: true }]);
    expect(await h.automaticState(beat.id)).toBeUndefined();
  });

  it("pausing a down heartbeat gives its component back; resuming starts afresh as new", async () => {
    const webtix = await seededComponentId(h.t, "Webtix");
    const beat = await h.create({ component_id: webtix });
    await h.pingAndSettle(beat, "/fail");
    expect(await h.publishedStatus(webtix)).toBe("major_outage");
    await expectStatus(await h.t.call("PATCH", `/api/v1/heartbeats/${beat.id}`, { paused: true }), 200);
    expect(await h.publishedStatus(webtix)).toBe("operational");
    const resumed = await h.t.call("PATCH", `/api/v1/heartbeats/${beat.id}`, { paused: false });
    expect(await expectStatus<HeartbeatAnswer>(resumed, 200)).toMatchObject({ state: "new", paused: false });
  });
});

describe("deleting", () => {
  it("undoes what the heartbeat did to its component, and its ping URL stops working", async () => {
    const webtix = await seededComponentId(h.t, "Webtix");
    const beat = await h.create({ component_id: webtix });
    await h.pingAndSettle(beat, "/fail");
    expect(await h.publishedStatus(webtix)).toBe("major_outage");
    expect((await h.t.call("DELETE", `/api/v1/heartbeats/${beat.id}`)).status).toBe(204);
    expect(await h.publishedStatus(webtix)).toBe("operational");
    expect((await h.ping(beat.ping_url)).status).toBe(404);
    await expectError(await h.t.call("GET", `/api/v1/heartbeats/${beat.id}`), 404, "not_found");
  });

  it("moving a down heartbeat to another component gives the first one back and marks the second", async () => {
    const [tix1, tix2] = [await seededComponentId(h.t, "tix1"), await seededComponentId(h.t, "tix2")];
    const beat = await h.create({ component_id: tix1 });
    await h.pingAndSettle(beat, "/fail");
    await expectStatus(await h.t.call("PATCH", `/api/v1/heartbeats/${beat.id}`, { component_id: tix2 }), 200);
    expect(await h.publishedStatus(tix1)).toBe("operational");
    expect(await h.publishedStatus(tix2)).toBe("major_outage");
  });
});

describe("the ping URL is a secret shown once", () => {
  it("a retried creation with the same Idempotency-Key is not answered with the URL again", async () => {
    const body = { name: "Backup", period_seconds: 3600 };
    const headers = { "idempotency-key": "create-backup-heartbeat-1" };
    await expectStatus(await h.t.call("POST", "/api/v1/heartbeats", body, { headers }), 201);
    const again = await h.t.call("POST", "/api/v1/heartbeats", body, { headers });
    expect(await again.text()).not.toContain("/ping/");
    expect(again.status).toBe(409);
    expect(await list()).toHaveLength(1);
  });
});
