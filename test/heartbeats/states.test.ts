import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { recordPing } from "@/api/heartbeats/ping";
import { seededComponentId } from "../support/factories";
import { heartbeatApp } from "./heartbeat-app";

let h: Awaited<ReturnType<typeof heartbeatApp>>;
beforeEach(async () => {
  h = await heartbeatApp();
});
afterEach(async () => {
  await h.t.cleanup();
});

const minutes = (n: number) => n * 60_000;

// The test clock starts at 2026-11-25T12:00:00Z. Heartbeats here: every hour, 10 minutes of grace.
describe("a heartbeat judged by its period and grace", () => {
  it("is new until its first ping, up after it, and stays up while pings come on time", async () => {
    const beat = await h.create();
    expect(beat.state).toBe("new");
    h.t.clock.advance(minutes(500));
    await h.tick();
    expect((await h.get(beat.id)).state).toBe("new");

    const res = await h.ping(beat.ping_url);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("OK\n");
    expect(await h.get(beat.id)).toMatchObject({ state: "up", last_ping_at: "2026-11-25T20:20:00.000Z" });
    for (let i = 0; i < 5; i++) {
      h.t.clock.advance(minutes(59));
      await h.tick();
      await h.ping(beat.ping_url);
    }
    expect((await h.get(beat.id)).state).toBe("up");
    expect(await h.automaticState(beat.id)).toBeUndefined();
  });

  it("is late past its period and within its grace, which alerts nobody and changes no component", async () => {
    const tix1 = await seededComponentId(h.t, "tix1");
    const beat = await h.create({ component_id: tix1 });
    await h.ping(beat.ping_url);
    h.t.clock.advance(minutes(60));
    await h.tick();
    expect(await h.get(beat.id)).toMatchObject({ state: "late", late_at: "2026-11-25T13:00:00.000Z" });
    h.t.clock.advance(minutes(10) - 1);
    await h.tick();
    expect((await h.get(beat.id)).state).toBe("late");
    expect(await h.automaticState(beat.id)).toBeUndefined();
    expect(await h.publishedStatus(tix1)).toBe("operational");
  });

  it("is down past its grace: the component shows major outage and automation records the problem for the staff alert", async () => {
    const tix1 = await seededComponentId(h.t, "tix1");
    const beat = await h.create({ component_id: tix1 });
    await h.ping(beat.ping_url);
    h.t.clock.advance(minutes(70));
    // Down as soon as the grace is over, whether or not the tick has run yet.
    expect((await h.get(beat.id)).state).toBe("down");
    await h.tick();
    const after = await h.get(beat.id);
    expect(after.state).toBe("down");
    expect(after.down_reason).toBe("no ping since 2026-11-25 12:00 UTC (every 1 h, grace 10 min)");
    expect(await h.automaticState(beat.id)).toMatchObject({
      componentId: tix1,
      problem: true,
      wantedStatus: "major_outage",
      setStatus: "major_outage",
    });
    expect(await h.publishedStatus(tix1)).toBe("major_outage");
  });

  it("takes the down status it is given", async () => {
    const wintix = await seededComponentId(h.t, "Wintix");
    const beat = await h.create({ component_id: wintix, down_status: "partial_outage" });
    await h.pingAndSettle(beat, "/fail");
    expect(await h.publishedStatus(wintix)).toBe("partial_outage");
  });

  it("without a component, going down still reaches automation (the staff alert) and changes no component", async () => {
    const beat = await h.create();
    await h.ping(beat.ping_url);
    h.t.clock.advance(minutes(71));
    await h.tick();
    expect(await h.automaticState(beat.id)).toMatchObject({ componentId: null, problem: true, setStatus: null });
  });

  it("a success ping after down brings it up and gives the component back", async () => {
    const tix2 = await seededComponentId(h.t, "tix2");
    const beat = await h.create({ component_id: tix2 });
    await h.ping(beat.ping_url);
    h.t.clock.advance(minutes(71));
    await h.tick();
    expect(await h.publishedStatus(tix2)).toBe("major_outage");

    await h.pingAndSettle(beat);
    expect((await h.get(beat.id)).state).toBe("up");
    expect(await h.automaticState(beat.id)).toMatchObject({ problem: false });
    expect(await h.publishedStatus(tix2)).toBe("operational");
  });

  it("a tick that runs again while nothing changed tells automation nothing new", async () => {
    const beat = await h.create();
    await h.ping(beat.ping_url);
    h.t.clock.advance(minutes(71));
    await h.tick();
    const first = await h.automaticState(beat.id);
    h.t.clock.advance(minutes(5));
    await h.tick();
    expect(await h.automaticState(beat.id)).toEqual(first);
    expect((await h.row(beat.id))!.dueAt).toBeNull();
  });
});

describe("failure, exit code and start pings", () => {
  it("/fail makes it down at once, and the component follows", async () => {
    const tix3 = await seededComponentId(h.t, "tix3");
    const beat = await h.create({ component_id: tix3 });
    await h.pingAndSettle(beat, "/fail");
    expect(await h.get(beat.id)).toMatchObject({ state: "down", down_reason: "the job reported a failure (/fail)" });
    expect(await h.publishedStatus(tix3)).toBe("major_outage");
  });

  it("a non-zero exit code is a failure, and says which", async () => {
    const tix4 = await seededComponentId(h.t, "tix4");
    const beat = await h.create({ component_id: tix4 });
    await h.pingAndSettle(beat, "/2");
    expect(await h.get(beat.id)).toMatchObject({
      state: "down",
      down_reason: "the job reported a failure (exit code 2)",
    });
    expect(await h.publishedStatus(tix4)).toBe("major_outage");
  });

  it("exit code 0 is a success", async () => {
    const beat = await h.create();
    await h.pingAndSettle(beat, "/fail");
    await h.pingAndSettle(beat, "/0");
    expect((await h.get(beat.id)).state).toBe("up");
    expect(await h.automaticState(beat.id)).toMatchObject({ problem: false });
  });

  it("an exit code above 255 is refused and changes nothing", async () => {
    const beat = await h.create();
    const res = await h.ping(beat.ping_url, "/256");
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe("bad_request");
    expect((await h.get(beat.id)).state).toBe("new");
  });

  it("a start not followed by a success within the grace makes it down", async () => {
    const tix5 = await seededComponentId(h.t, "tix5");
    const beat = await h.create({ component_id: tix5 });
    await h.ping(beat.ping_url);
    h.t.clock.advance(minutes(30));
    await h.ping(beat.ping_url, "/start");
    expect(await h.get(beat.id)).toMatchObject({ state: "up", last_start_at: "2026-11-25T12:30:00.000Z" });
    h.t.clock.advance(minutes(10) - 1);
    await h.tick();
    expect((await h.get(beat.id)).state).toBe("up");
    h.t.clock.advance(1);
    await h.tick();
    const down = await h.get(beat.id);
    expect(down.state).toBe("down");
    expect(down.down_reason).toMatch(/^it started at 2026-11-25 12:30 UTC and reported no end within the grace time/);
    expect(await h.publishedStatus(tix5)).toBe("major_outage");
  });

  it("a start then a success within the grace is a run that went well", async () => {
    const beat = await h.create();
    await h.ping(beat.ping_url, "/start");
    h.t.clock.advance(minutes(9));
    await h.ping(beat.ping_url);
    h.t.clock.advance(minutes(30));
    await h.tick();
    expect(await h.get(beat.id)).toMatchObject({ state: "up", last_start_at: null });
    expect(await h.automaticState(beat.id)).toBeUndefined();
  });
});

describe("what the tick catches up", () => {
  it("a failure ping whose follow-up never ran (the process died after the answer) is passed on by the next tick", async () => {
    const tix1 = await seededComponentId(h.t, "tix1");
    const beat = await h.create({ component_id: tix1 });
    const token = new URL(beat.ping_url).pathname.split("/")[2]!;
    const ping = { token, exitCode: 3, method: "GET", clientAddress: "192.0.2.7", userAgent: null, body: null };
    expect(await recordPing(h.t.deps, { ...ping, kind: "fail" })).toMatchObject({ outcome: "recorded", settle: true });
    expect(await h.automaticState(beat.id)).toBeUndefined();
    expect((await h.row(beat.id))!.dueAt).toBe(h.t.clock());

    await h.tick();
    expect(await h.automaticState(beat.id)).toMatchObject({ problem: true });
    expect(await h.publishedStatus(tix1)).toBe("major_outage");
    expect((await h.row(beat.id))!).toMatchObject({ reported: true, dueAt: null });
  });

  it("a report that fails is shown as report_error, and tried again a minute later", async () => {
    const tix2 = await seededComponentId(h.t, "tix2");
    const beat = await h.create({ component_id: tix2 });
    await h.ping(beat.ping_url);
    // The database refuses automation's bookkeeping for a while.
    h.t.deps.db.run(
      sql.raw(
        "create trigger refuse before insert on automatic_states begin select raise(abort, 'disk I/O error'); end",
      ),
    );
    h.t.clock.advance(minutes(71));
    await h.tick();
    expect(await h.get(beat.id)).toMatchObject({ state: "down", report_error: "disk I/O error" });
    expect(await h.publishedStatus(tix2)).toBe("operational");

    h.t.deps.db.run(sql.raw("drop trigger refuse"));
    h.t.clock.advance(59_000);
    await h.tick();
    expect((await h.get(beat.id)).report_error).toBe("disk I/O error");
    h.t.clock.advance(1_000);
    await h.tick();
    expect((await h.get(beat.id)).report_error).toBeNull();
    expect(await h.publishedStatus(tix2)).toBe("major_outage");
  });
});

describe("pings", () => {
  it("GET, POST and HEAD all count, and a POST keeps the first 10 KB of its body", async () => {
    const beat = await h.create();
    expect((await h.ping(beat.ping_url, "", { method: "HEAD" })).status).toBe(200);
    const big = "x".repeat(20_000);
    const post = await h.ping(beat.ping_url, "/1", { method: "POST", body: `backup failed\n${big}` });
    expect(post.status).toBe(200);
    expect((await h.ping(beat.ping_url)).status).toBe(200);
    const pings = await (await h.t.call("GET", `/api/v1/heartbeats/${beat.id}/pings`)).json();
    expect(pings.map((p: { method: string; kind: string }) => [p.method, p.kind])).toEqual([
      ["GET", "success"],
      ["POST", "fail"],
      ["HEAD", "success"],
    ]);
    expect(pings[1]).toMatchObject({ exit_code: 1, client_address: "unknown", ignored: false });
    expect(pings[1].body.startsWith("backup failed\n")).toBe(true);
    expect(new TextEncoder().encode(pings[1].body).byteLength).toBe(10_000);
  });

  it("keeps the last 50 pings, newest first", async () => {
    const beat = await h.create();
    for (let i = 0; i < 55; i++) {
      h.t.clock.advance(61_000);
      await h.ping(beat.ping_url, i === 54 ? "/start" : "");
    }
    const pings = await (await h.t.call("GET", `/api/v1/heartbeats/${beat.id}/pings`)).json();
    expect(pings).toHaveLength(50);
    expect(pings[0].kind).toBe("start");
    expect(Date.parse(pings[0].at) - Date.parse(pings[49].at)).toBe(49 * 61_000);
  });
});
