import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "@/api/config";
import { startNodeServer } from "@/api/node-runtime";
import { waitUntil } from "@/test/support/wait";
import { parsePrometheusText, valueOf } from "./prometheus-text";

const adminKey = "metrics-test-admin-key-0123456789abcdefghijklmnop";
const metricsToken = "metrics-token-for-prometheus-0123456789abcdefghijk";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The whole Node server, as `npm start` runs it, on a free port, over real HTTP. */
async function start(env: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), "marquee-metrics-"));
  const config = parseConfig({
    PORT: "0",
    DATA_DIR: dir,
    ADMIN_API_KEY: adminKey,
    METRICS_TOKEN: metricsToken,
    ...env,
  });
  const server = await startNodeServer(config, () => {});
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }), server.close);
  const base = `http://127.0.0.1:${server.port}`;
  await waitUntil(async () => (await fetch(`${base}/healthz`)).status === 200, "the server is ready");
  const call = (path: string, init: RequestInit & { token?: string } = {}) =>
    fetch(`${base}${path}`, {
      ...init,
      headers: {
        ...(init.token && { authorization: `Bearer ${init.token}` }),
        ...(init.body !== undefined && { "content-type": "application/json" }),
        ...(init.headers as Record<string, string>),
      },
    });
  const scrape = async () => {
    const res = await call("/metrics", { token: metricsToken });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    return parsePrometheusText(await res.text());
  };
  return { server, base, call, scrape };
}

/** A webhook receiver on 127.0.0.1 that answers 204. */
async function startReceiver() {
  let received = 0;
  const receiver = createServer((req, res) => {
    req.resume();
    req.on("end", () => (received++, res.writeHead(204).end()));
  });
  await new Promise<void>((ok) => receiver.listen(0, "127.0.0.1", ok));
  cleanups.push(() => new Promise<void>((ok) => receiver.close(() => ok())));
  return { url: `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`, received: () => received };
}

describe("GET /metrics", () => {
  it("answers 401 with the JSON error without a key, or with a wrong key or token", async () => {
    const s = await start();
    for (const token of [undefined, "wrong", `${metricsToken}x`, metricsToken.slice(0, -1)]) {
      const res = await s.call("/metrics", { token });
      expect(res.status, String(token)).toBe(401);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("unauthorized");
      expect(typeof body.error.message).toBe("string");
    }
  });

  it("answers METRICS_TOKEN and any API key (every scope includes read) with the Prometheus text format", async () => {
    const s = await start();
    await s.scrape();
    const keyed = await s.call("/metrics", { token: adminKey });
    expect(keyed.status).toBe(200);
    const readKey = await s.call("/api/v1/api-keys", {
      method: "POST",
      token: adminKey,
      body: JSON.stringify({ name: "prometheus", scopes: ["read"] }),
    });
    expect(readKey.status).toBe(201);
    const { key } = (await readKey.json()) as { key: string };
    expect((await s.call("/metrics", { token: key })).status).toBe(200);
  });

  it("stops a client guessing the token, even when its next guess is right", async () => {
    const s = await start();
    for (let i = 0; i < 10; i++) expect((await s.call("/metrics", { token: `wrong-${i}` })).status).toBe(401);
    const res = await s.call("/metrics", { token: metricsToken });
    expect(res.status).toBe(429);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("rate_limited");
  });

  it("METRICS_TOKEN opens /metrics and nothing else", async () => {
    const s = await start();
    for (const path of ["/api/v1/components", "/api/v1/subscribers", "/api/v1/api-keys"]) {
      const res = await s.call(path, { token: metricsToken });
      expect(res.status, path).toBe(401);
    }
  });

  it("counts requests by kind and status class, the fast path for published pages included", async () => {
    const s = await start();
    const before = await s.scrape();
    const count = (families: typeof before, kind: string, status_class: string) =>
      valueOf(families, "marquee_http_requests_total", { kind, status_class }) ?? 0;
    expect((await s.call("/")).status).toBe(200);
    expect((await s.call("/api/v2/summary.json")).status).toBe(200);
    expect((await s.call("/api/v1/components", { token: adminKey })).status).toBe(200);
    expect((await s.call("/api/v1/components")).status).toBe(401);
    expect((await s.call("/admin", { redirect: "manual" })).status).toBeLessThan(500);
    expect((await s.call("/no-such-page")).status).toBe(404);
    expect((await s.call("/subscribe", { method: "POST", body: "{" })).status).toBe(400);
    const after = await s.scrape();
    expect(count(after, "page", "2xx") - count(before, "page", "2xx")).toBe(2);
    expect(count(after, "api", "2xx") - count(before, "api", "2xx")).toBe(1);
    expect(count(after, "api", "4xx") - count(before, "api", "4xx")).toBe(1);
    expect(count(after, "other", "4xx") - count(before, "other", "4xx")).toBe(1);
    expect(count(after, "subscription", "4xx") - count(before, "subscription", "4xx")).toBe(1);
    const console = ["2xx", "3xx", "4xx"].reduce(
      (n, c) => n + count(after, "console", c) - count(before, "console", c),
      0,
    );
    expect(console).toBe(1);
    // The scrape itself is counted, as "other".
    expect(count(after, "other", "2xx") - count(before, "other", "2xx")).toBe(1);
  });

  it("times each publish and counts the pages it wrote", async () => {
    const s = await start();
    const first = await waitUntil(async () => {
      const f = await s.scrape();
      return (valueOf(f, "marquee_publish_duration_seconds_count", { result: "ok" }) ?? 0) >= 1 ? f : undefined;
    }, "the first publish is measured");
    expect(first.get("marquee_publish_duration_seconds")?.type).toBe("histogram");
    const publishes = valueOf(first, "marquee_publish_duration_seconds_count", { result: "ok" })!;
    const pages = valueOf(first, "marquee_pages_published_total")!;
    expect(pages).toBeGreaterThan(0);
    const res = await s.call("/api/v1/incidents", {
      method: "POST",
      token: adminKey,
      body: JSON.stringify({ name: "Webtix down on tix1", components: {} }),
    });
    expect(res.status).toBe(201);
    const after = await waitUntil(async () => {
      const f = await s.scrape();
      return valueOf(f, "marquee_publish_duration_seconds_count", { result: "ok" })! > publishes ? f : undefined;
    }, "the incident's publish is measured");
    expect(valueOf(after, "marquee_pages_published_total")).toBeGreaterThan(pages);
    expect(valueOf(after, "marquee_publish_duration_seconds_bucket", { result: "ok", le: "+Inf" })).toBe(
      valueOf(after, "marquee_publish_duration_seconds_count", { result: "ok" }),
    );
  });

  it("counts the emails the dev transport wrote and the webhooks delivered", async () => {
    const s = await start({ ALLOW_PRIVATE_WEBHOOKS: "true" });
    const receiver = await startReceiver();
    const hook = await s.call("/api/v1/webhooks", {
      method: "POST",
      token: adminKey,
      body: JSON.stringify({ url: receiver.url }),
    });
    expect(hook.status).toBe(201);
    expect(
      (await s.call("/subscribe", { method: "POST", body: JSON.stringify({ email: "a@example.com" }) })).status,
    ).toBe(202);
    const components = (await (await s.call("/api/v1/components", { token: adminKey })).json()) as { id: string }[];
    const changed = await s.call(`/api/v1/components/${components[0]!.id}`, {
      method: "PATCH",
      token: adminKey,
      body: JSON.stringify({ status: "degraded_performance" }),
    });
    expect(changed.status).toBe(200);
    const families = await waitUntil(async () => {
      const f = await s.scrape();
      const sent = valueOf(f, "marquee_emails_sent_total", { transport: "dev" }) ?? 0;
      const hooks = valueOf(f, "marquee_webhook_deliveries_total", { result: "sent" }) ?? 0;
      return sent >= 1 && hooks >= 1 ? f : undefined;
    }, "the confirmation email and the webhook are counted");
    expect(valueOf(families, "marquee_emails_sent_total", { transport: "dev" })).toBe(1);
    expect(valueOf(families, "marquee_webhook_deliveries_total", { result: "sent" })).toBe(receiver.received());
  });
});
