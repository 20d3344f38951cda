import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { defaultPingLimits } from "@/api/heartbeats/ping";
import { heartbeatApp } from "./heartbeat-app";

let h: Awaited<ReturnType<typeof heartbeatApp>>;
beforeEach(async () => {
  h = await heartbeatApp();
});
afterEach(async () => {
  await h.t.cleanup();
});

const unknownUrl = (n: number) => `https://status.example.com/ping/${n.toString(16).padStart(40, "0")}`;

describe("ping URLs reveal nothing", () => {
  it("every unknown token gets the same answer, and a known one names no heartbeat", async () => {
    const beat = await h.create({ name: "Payroll export" });
    const answers = [];
    for (const url of [unknownUrl(1), unknownUrl(2), "https://status.example.com/ping/short"]) {
      for (const suffix of ["", "/start", "/fail", "/3"]) {
        const res = await h.ping(url, suffix);
        answers.push(JSON.stringify([res.status, res.headers.get("content-type"), await res.text()]));
      }
    }
    expect(new Set(answers).size).toBe(1);
    expect(JSON.parse(answers[0]!)).toEqual([
      404,
      "application/json",
      JSON.stringify({ error: { code: "not_found", message: "No heartbeat has this ping URL" } }),
    ]);
    const known = await h.ping(beat.ping_url);
    const text = await known.text();
    expect([known.status, text]).toEqual([200, "OK\n"]);
    expect(text).not.toContain("Payroll");
    expect(text).not.toContain(beat.id);
  });
});

describe("ping rate limits", () => {
  it("a heartbeat takes 30 pings a minute; past that 429 with Retry-After, and its state is left alone", async () => {
    const beat = await h.create();
    for (let i = 0; i < defaultPingLimits.perHeartbeat; i++) {
      expect((await h.ping(beat.ping_url)).status).toBe(200);
    }
    const refused = await h.ping(beat.ping_url, "/fail");
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect((await refused.json()).error.code).toBe("rate_limited");
    expect((await h.get(beat.id)).state).toBe("up");
    // Another heartbeat is not held back by this one.
    const other = await h.create({ name: "Other job" });
    expect((await h.ping(other.ping_url)).status).toBe(200);
    // A minute later the limit is lifted.
    h.t.clock.advance(60_000);
    expect((await h.ping(beat.ping_url, "/fail")).status).toBe(200);
    expect((await h.get(beat.id)).state).toBe("down");
  });

  it("guessing tokens is limited per client address", async () => {
    for (let i = 0; i < defaultPingLimits.unknownPerClient; i++) {
      expect((await h.ping(unknownUrl(i))).status).toBe(404);
    }
    const refused = await h.ping(unknownUrl(999));
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBeTruthy();
  });
});
