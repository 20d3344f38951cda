import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { failureLimit, failureWindowMs } from "@/api/services/auth-throttle";
import { makeApp } from "@/test/support/app";
import { consoleBrowser } from "@/test/support/console-browser";
import { expectError, type TestApp } from "@/test/support/factories";

let t: TestApp;
beforeEach(async () => {
  t = await makeApp();
});
afterEach(async () => {
  await t.cleanup();
});

const wrongKey = "mq_aaaaaaaaaaaa_wrongwrongwrongwrongwrong";
const get = (key: string, clientIp: string) =>
  t.app.request("/api/v1/components", { headers: { authorization: `Bearer ${key}` } }, { clientIp });

describe("failed authentication is throttled per client", () => {
  it("after the limit of wrong keys, answers 429 with Retry-After even to the right key, until the window ends", async () => {
    const guesser = "203.0.113.7";
    for (let i = 0; i < failureLimit; i++) await expectError(await get(wrongKey, guesser), 401, "unauthorized");

    const throttled = await get(t.keys.read, guesser);
    expect(throttled.headers.get("retry-after")).toBe(String(failureWindowMs / 1000));
    await expectError(throttled, 429, "rate_limited");
    await expectError(await get(wrongKey, guesser), 429, "rate_limited");

    // Another client is not held back by this one.
    expect((await get(t.keys.read, "203.0.113.8")).status).toBe(200);

    t.clock.advance(60_000);
    expect((await get(t.keys.read, guesser)).headers.get("retry-after")).toBe(String(failureWindowMs / 1000 - 60));
    t.clock.advance(failureWindowMs - 60_000);
    expect((await get(t.keys.read, guesser)).status).toBe(200);
  });

  it("requests without a key, and right keys, do not count", async () => {
    const client = "203.0.113.9";
    for (let i = 0; i < failureLimit * 2; i++) {
      await t.app.request("/api/v1/components", {}, { clientIp: client });
      await get(t.keys.read, client);
    }
    expect((await get(t.keys.read, client)).status).toBe(200);
  });

  it("the console's sign-in shares the count: past it, the right key gets 429 and no session", async () => {
    const client = "203.0.113.10";
    for (let i = 0; i < failureLimit - 1; i++) await get(wrongKey, client);
    const b = consoleBrowser(t, client);
    expect((await b.signIn(wrongKey)).status).toBe(401);

    const res = await b.signIn(t.keys.write);
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe(String(failureWindowMs / 1000));
    expect(res.headers.get("set-cookie")).toBeNull();
    expect(await res.text()).toContain("Too many failed sign-ins");

    t.clock.advance(failureWindowMs);
    expect((await b.signIn(t.keys.write)).status).toBe(303);
  });
});
