import { getRequestListener } from "@hono/node-server";
import { createServer, type Server } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { eq, like } from "drizzle-orm";
import type { AppDeps } from "@/api/app";
import { parseTrustProxy } from "@/api/middleware/trust-proxy";
import { defaultSubscribeLimits } from "@/api/services/subscriptions";
import { confirmationEmails, subscribers } from "@/db/schema";
import { makeApp } from "@/test/support/app";

type Env = Awaited<ReturnType<typeof makeApp>>;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/**
 * The real app behind a real HTTP server on 127.0.0.1, so the socket's address is what it is. Work the route leaves
 * for after the answer is collected, so a test can wait for all of it rather than for a time.
 */
async function serve(overrides: Partial<AppDeps> = {}) {
  const pending: Promise<unknown>[] = [];
  const env: Env = await makeApp({}, { afterAnswer: (work) => pending.push(work()), ...overrides });
  const server: Server = createServer(getRequestListener(env.app.fetch));
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  cleanups.push(env.cleanup, () => new Promise((ok) => server.close(() => ok())));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const subscribe = (email: string, headers: Record<string, string> = {}) =>
    fetch(`${base}/subscribe`, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: JSON.stringify({ email }),
    });
  const queuedTo = async (pattern: string) => {
    await Promise.all(pending);
    return (await env.deps.db.select().from(confirmationEmails).where(like(confirmationEmails.email, pattern))).length;
  };
  return { ...env, base, subscribe, queuedTo, pending };
}

describe("the subscribe form's limits, without TRUST_PROXY", () => {
  it("forty requests with forged X-Forwarded-For and plus-addresses: 20 answered, 3 emails to the victim", async () => {
    const s = await serve();
    const statuses: number[] = [];
    for (let n = 1; n <= 40; n++) {
      const res = await s.subscribe(`victim+${n}@example.com`, { "x-forwarded-for": `203.0.113.${n}` });
      statuses.push(res.status);
      if (res.status === 429) {
        expect((await res.json()).error.code).toBe("rate_limited");
        expect(Number(res.headers.get("retry-after"))).toBe(3600);
      } else await res.body?.cancel();
    }
    // The header is not believed: all forty came from 127.0.0.1, which may ask 20 times an hour.
    expect(statuses.filter((s) => s === 202)).toHaveLength(20);
    expect(statuses.slice(20).every((s) => s === 429)).toBe(true);
    // victim+N@ is one inbox: three confirmation emails an hour at most, whatever the tag.
    expect(await s.queuedTo("victim%@example.com")).toBe(3);
  });

  it("rotating plus-tags and case from many clients still reaches one inbox three times an hour", async () => {
    const s = await serve();
    for (let n = 0; n < 10; n++) {
      const res = await s.app.request(
        "/subscribe",
        {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ email: n % 2 ? `Victim+tag${n}@Example.com` : `victim@example.com` }),
        },
        { clientIp: `198.51.100.${n}` },
      );
      expect(res.status).toBe(202);
    }
    expect(await s.queuedTo("victim%@example.com")).toBe(3);
    // The stored address is the one given (lower-cased by validation), tag included.
    const stored = (await s.deps.db.select({ email: subscribers.email }).from(subscribers)).map((r) => r.email);
    expect(stored).toContain("victim@example.com");
    expect(stored.some((e) => /^victim\+tag\d@example\.com$/.test(e))).toBe(true);
  });
});

describe("TRUST_PROXY", () => {
  const twentyFrom = async (s: Awaited<ReturnType<typeof serve>>, forwardedFor: (n: number) => string) => {
    for (let n = 0; n < 20; n++) {
      const res = await s.subscribe(`reader${n}@example.com`, { "x-forwarded-for": forwardedFor(n) });
      expect(res.status).toBe(202);
    }
  };

  it("with a hop count of 1, the right-most X-Forwarded-For entry is the client", async () => {
    const s = await serve({ trustProxy: parseTrustProxy("1") });
    // What the client wrote itself (the left part) changes nothing; what the proxy appended does.
    await twentyFrom(s, (n) => `10.9.9.${n}, 192.0.2.10`);
    expect((await s.subscribe("late@example.com", { "x-forwarded-for": "10.9.9.99, 192.0.2.10" })).status).toBe(429);
    expect((await s.subscribe("other@example.com", { "x-forwarded-for": "192.0.2.11" })).status).toBe(202);
  });

  it("with a list of proxies, an entry is believed only when the hop that added it is trusted", async () => {
    const s = await serve({ trustProxy: parseTrustProxy("127.0.0.0/8, 10.0.0.0/8") });
    // 127.0.0.1 (trusted) got it from 10.0.0.5 (trusted), which got it from 192.0.2.20: the client.
    await twentyFrom(s, (n) => `198.51.100.${n}, 192.0.2.20, 10.0.0.5`);
    expect((await s.subscribe("late@example.com", { "x-forwarded-for": "192.0.2.20, 10.0.0.5" })).status).toBe(429);
    // Forged entries left of an untrusted hop count for nothing.
    expect((await s.subscribe("else@example.com", { "x-forwarded-for": "198.51.100.1, 192.0.2.21" })).status).toBe(202);
  });

  it("hops from a socket outside the list are not believed", async () => {
    const s = await serve({ trustProxy: parseTrustProxy("10.0.0.0/8, 2001:db8::/32") });
    await twentyFrom(s, (n) => `203.0.113.${n}`);
    expect((await s.subscribe("late@example.com", { "x-forwarded-for": "203.0.113.200" })).status).toBe(429);
  });
});

describe("the page-wide cap on confirmation emails", () => {
  it("once reached, answers 429 with Retry-After and queues no more, until the hour has passed", async () => {
    const s = await serve({ subscribeLimits: { ...defaultSubscribeLimits, perPage: 5 } });
    const from = (n: number) =>
      s.app.request(
        "/subscribe",
        {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ email: `reader${n}@example.com` }),
        },
        { clientIp: `198.51.100.${n}` },
      );
    for (let n = 0; n < 5; n++) expect((await from(n)).status).toBe(202);
    s.clock.advance(10 * 60e3);
    const refused = await from(5);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe(String(50 * 60));
    expect(await refused.json()).toEqual({ error: { code: "rate_limited", message: expect.any(String) } });
    expect((await from(6)).status).toBe(429);
    expect(await s.queuedTo("%")).toBe(5);
    expect(await s.deps.db.select().from(subscribers).where(eq(subscribers.email, "reader5@example.com"))).toEqual([]);

    s.clock.advance(50 * 60e3);
    expect((await from(7)).status).toBe(202);
    expect(await s.queuedTo("%")).toBe(6);
  });

  it("the HTML form gets the same 429 with Retry-After", async () => {
    const s = await serve({ subscribeLimits: { ...defaultSubscribeLimits, perPage: 1 } });
    const form = (email: string, clientIp: string) =>
      s.app.request(
        "/subscribe",
        {
          method: "POST",
          headers: { "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ email }).toString(),
        },
        { clientIp },
      );
    expect((await form("a@example.com", "198.51.100.1")).status).toBe(202);
    const refused = await form("b@example.com", "198.51.100.2");
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("3600");
    expect(await s.queuedTo("%")).toBe(1);
  });
});

describe("the answer to a subscription request", () => {
  it("is sent before anything depends on whether the address is subscribed", async () => {
    // Work left for after the answer is held here, not run: if the answer waited for it, no answer would come.
    const held: (() => Promise<unknown>)[] = [];
    const s = await serve({ afterAnswer: (work) => held.push(work) });
    const ask = (email: string, n: number) =>
      s.app.request(
        "/subscribe",
        { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email }) },
        { clientIp: `198.51.100.${n}` },
      );
    const first = await ask("ann@example.com", 1);
    await Promise.all(held.splice(0).map((work) => work()));
    await s.deps.db.update(subscribers).set({ status: "active" }).where(eq(subscribers.email, "ann@example.com"));

    const known = await ask("ann@example.com", 2);
    const fresh = await ask("new@example.com", 3);
    // Both answered, identically, while the work that tells them apart has not started.
    expect(held).toHaveLength(2);
    expect([known.status, fresh.status]).toEqual([202, 202]);
    expect(await known.text()).toBe(await fresh.text());
    expect(first.status).toBe(202);
    expect(await s.deps.db.select().from(subscribers).where(eq(subscribers.email, "new@example.com"))).toEqual([]);

    await Promise.all(held.splice(0).map((work) => work()));
    expect(await s.queuedTo("new@example.com")).toBe(1);
    expect(await s.queuedTo("ann@example.com")).toBe(1);
  });
});
