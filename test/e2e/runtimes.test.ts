import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { runMonitorScenario, runOutageScenario, runSubscriberScenario } from "./scenario";
import { type FakeResend, startFakeResend } from "@/test/support/fake-resend";
import { freePort, rawGet, removeDataDir, spawnServer, wranglerStartupMs } from "@/test/support/server";
import { createServer, type Server } from "node:http";
import { waitUntil } from "@/test/support/wait";
import { headerPolicy, type InlineSources } from "@/api/security-headers";

/** The security headers both runtimes must send, from the same renderer build they serve. */
const expectedPolicy = async () => {
  const entry = new URL("../../dist/server/entry.mjs", import.meta.url).href;
  const { inlineSources } = (await import(/* @vite-ignore */ entry)) as { inlineSources: InlineSources };
  return headerPolicy(inlineSources, "");
};

const adminKey = "e2e-admin-key-0123456789-vq7w2kx9";

/**
 * One body of end-to-end tests, run against each runtime as its users start it: `npm start` (Node, SQLite file)
 * and `npm run worker:dev` (the Workers build under `wrangler dev`, local D1). Email goes to a fake Resend.
 */
const runtimes = [
  {
    name: "npm start (Node)",
    command: ["npm", "start"],
    stateVariable: "DATA_DIR",
    startupMs: 120_000,
    // The Node server's own ticker runs every 5 seconds.
    tick: async (_base: string) => {},
  },
  {
    name: "npm run worker:dev (Workers + D1)",
    command: ["npm", "run", "worker:dev"],
    stateVariable: "WORKER_STATE_DIR",
    startupMs: wranglerStartupMs,
    // A Cron Trigger, fired through wrangler dev's --test-scheduled route.
    tick: async (base: string) => {
      expect((await fetch(`${base}/__scheduled?cron=*+*+*+*+*`)).status).toBe(200);
    },
  },
];

describe.each(runtimes)("$name", ({ name, command, stateVariable, startupMs, tick }) => {
  let server: Awaited<ReturnType<typeof spawnServer>>;
  let resend: FakeResend;
  let stateDir: string;

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), "marquee-e2e-"));
    resend = await startFakeResend();
    server = await spawnServer(
      command,
      {
        [stateVariable]: stateDir,
        ADMIN_API_KEY: adminKey,
        SITE_URL: "",
        RESEND_API_KEY: "re_e2e_0123456789",
        RESEND_BASE_URL: resend.url,
        RESEND_RATE_LIMIT: "50",
      },
      startupMs,
    );
  }, startupMs + 30_000);

  afterAll(async () => {
    await server?.stop();
    await resend?.close();
    removeDataDir(stateDir);
  }, 60_000);

  it("serves the seeded page, and shows an outage from the first post to its resolution", async () => {
    await runOutageScenario(server.base, adminKey);
  }, 120_000);

  it("notices an outage on its own: a monitor marks tix1 down, opens an incident, emails, and resolves it", async () => {
    const port = await freePort();
    let target: Server | undefined;
    const start = () =>
      new Promise<void>((ok) => {
        target = createServer((_req, res) => res.end("ok")).listen(port, "127.0.0.1", () => ok());
      });
    const stop = () =>
      new Promise<void>((ok) => {
        target!.closeAllConnections();
        target!.close(() => ok());
      });
    await start();
    try {
      await runMonitorScenario(server.base, adminKey, resend, { url: `http://127.0.0.1:${port}`, start, stop }, () =>
        tick(server.base),
      );
    } finally {
      if (target?.listening) await stop();
    }
  }, 240_000);

  it("answers readers with compression, ETag and 304, and HEAD on the Statuspage paths", async () => {
    const { base } = server;
    const first = await fetch(`${base}/api/v2/summary.json`, { headers: { "accept-encoding": "br" } });
    expect(first.headers.get("content-encoding")).toBe("br");
    expect(first.headers.get("access-control-allow-origin")).toBe("*");
    expect(first.headers.get("cache-control")).toBe("public, max-age=5");
    const etag = first.headers.get("etag")!;
    // fetch decodes what the server compressed: compressed once, it reads as the document.
    expect((await first.json()).page.name).toBe("Ticketing");
    // A client that accepts no compression gets the page as it is; one that accepts gzip gets gzip.
    const plain = await rawGet(`${base}/`, {});
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.body.toString("utf8")).toContain("<!DOCTYPE html>");
    const gzipOnly = await rawGet(`${base}/`, { "accept-encoding": "gzip" });
    expect(gzipOnly.headers["content-encoding"]).toBe("gzip");
    expect(gunzipSync(gzipOnly.body).toString("utf8")).toContain("<!DOCTYPE html>");
    const gzip = await fetch(`${base}/`, { headers: { "accept-encoding": "gzip" } });
    expect(gzip.headers.get("content-encoding")).toBe("gzip");
    expect(await gzip.text()).toContain("<!DOCTYPE html>");
    const again = await fetch(`${base}/api/v2/summary.json`, {
      headers: { "accept-encoding": "br", "if-none-match": etag },
    });
    expect(again.status).toBe(304);
    const head = await fetch(`${base}/api/v2/components.json`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-type")).toBe("application/json; charset=utf-8");
    const missing = await fetch(`${base}/no-such-page`);
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe("not_found");
  });

  it("sends the same security headers on pages, the console, subscription pages and the API", async () => {
    const { base } = server;
    const policy = await expectedPolicy();
    const page = await fetch(`${base}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-security-policy")).toBe(policy.csp("/"));
    const stale = await fetch(`${base}/`, { headers: { "if-none-match": page.headers.get("etag")! } });
    expect(stale.status).toBe(304);
    expect(stale.headers.get("content-security-policy")).toBe(policy.csp("/"));
    const console = await fetch(`${base}/admin/login`);
    expect(console.headers.get("content-security-policy")).toBe(policy.csp("/admin/login"));
    expect(console.headers.get("referrer-policy")).toBe("same-origin");
    const link = await fetch(`${base}/subscribe/confirm/nonsense`);
    expect(link.headers.get("content-security-policy")).toBe(policy.csp("/subscribe/confirm/nonsense"));
    expect(link.headers.get("referrer-policy")).toBe("no-referrer");
    for (const res of [page, stale, await fetch(`${base}/api/v2/summary.json`), await fetch(`${base}/api/v1/x`)]) {
      expect(res.headers.get("x-content-type-options"), res.url).toBe("nosniff");
      expect(res.headers.get("strict-transport-security")).toBeNull();
    }
    expect(page.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
  });

  it("serves the embed to other sites: /embed.js compressed, /embed framable, summary.json preflighted", async () => {
    const { base } = server;
    const origin = { origin: "https://tickets.example.net" };
    await waitUntil(async () => (await fetch(`${base}/embed.js`)).status === 200, "the embed script is published");
    const script = await rawGet(`${base}/embed.js`, { "accept-encoding": "br" });
    expect(script.headers["content-encoding"]).toBe("br");
    expect(script.headers["content-type"]).toBe("text/javascript; charset=utf-8");
    expect(script.body.byteLength).toBeLessThanOrEqual(3 * 1024);
    const etag = script.headers.etag!;
    const again = await fetch(`${base}/embed.js`, { headers: { "accept-encoding": "br", "if-none-match": etag } });
    expect(again.status).toBe(304);
    const policy = await expectedPolicy();
    const embed = await fetch(`${base}/embed`);
    expect(embed.headers.get("content-security-policy")).toBe(policy.csp("/embed"));
    expect(embed.headers.get("content-security-policy")).toContain("frame-ancestors *");
    expect((await fetch(`${base}/`)).headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    const preflight = await fetch(`${base}/api/v2/summary.json`, {
      method: "OPTIONS",
      headers: { ...origin, "access-control-request-method": "GET", "access-control-request-headers": "if-none-match" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("*");
    expect(preflight.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("if-none-match");
    const read = await fetch(`${base}/api/v2/summary.json`, { headers: origin });
    expect(read.headers.get("access-control-allow-origin")).toBe("*");
    expect(read.headers.get("access-control-expose-headers")).toMatch(/etag/i);
  });

  it("emails subscribers through Resend: confirm, one alert each, one-click unsubscribe", async () => {
    await runSubscriberScenario(server.base, adminKey, resend);
  }, 120_000);

  it("racing writes: the published page ends at the state the database ends at", async () => {
    const { base } = server;
    const api = (method: string, path: string, body?: unknown) =>
      fetch(`${base}/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const components = (await (await api("GET", "/components")).json()) as { id: string; name: string }[];
    const tix2 = components.find((c) => c.name === "tix2")!.id;
    const statuses = ["degraded_performance", "partial_outage", "major_outage", "operational"];
    // Sixteen writes at once, each publishing on its own (on Workers, each in its own invocation).
    const answers = await Promise.all(
      Array.from({ length: 16 }, (_, i) => api("PATCH", `/components/${tix2}`, { status: statuses[i % 4] })),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(16).fill(200));
    const final = ((await (await api("GET", `/components/${tix2}`)).json()) as { status: string }).status;
    // Seeing `final` once proves little: an earlier publish may have shown that status on the way. A write made after
    // the sixteen marks the first document published from data read after all of them.
    const tix3 = components.find((c) => c.name === "tix3")!.id;
    const marker = `after the race ${Date.now()}`;
    expect((await api("PATCH", `/components/${tix3}`, { description: marker })).status).toBe(200);
    type Summary = { components: { id: string; status: string; description: string | null }[] };
    const settled = await waitUntil(async () => {
      const summary = (await (await fetch(`${base}/api/v2/summary.json`)).json()) as Summary;
      return summary.components.find((c) => c.id === tix3)!.description === marker ? summary : undefined;
    }, "summary.json showing a write made after the race").catch((error: Error) => {
      throw new Error(`${error.message}\n${server.output().slice(-4000)}`);
    });
    expect(settled.components.find((c) => c.id === tix2)!.status).toBe(final);
    // And it stays there: no slower publish of older data replaces it afterwards.
    await new Promise((r) => setTimeout(r, 1_500));
    const summary = await (await fetch(`${base}/api/v2/summary.json`)).json();
    const shown = summary.components.find((c: { id: string }) => c.id === tix2).status;
    if (shown !== final) {
      // What wrote tix2, and what the server said, for whoever reads the failure.
      const audit = await (await api("GET", `/audit?resource_type=component&resource_id=${tix2}&limit=40`)).json();
      const now = ((await (await api("GET", `/components/${tix2}`)).json()) as { status: string }).status;
      throw new Error(
        `summary.json shows tix2 ${shown} after showing ${final}; the database now says ${now}\n` +
          `${JSON.stringify(audit, null, 1)}\n${server.output().slice(-4000)}`,
      );
    }
  }, 180_000);

  it("makes one incident of concurrent retries with the same Idempotency-Key", async () => {
    const post = () =>
      fetch(`${server.base}/api/v1/incidents`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${adminKey}`,
          "content-type": "application/json",
          "idempotency-key": "e2e-double-click",
        },
        body: JSON.stringify({ name: "Double click", notify: false }),
      });
    const answers = await Promise.all([post(), post(), post()]);
    const created = answers.filter((a) => a.status === 201 && a.headers.get("idempotent-replayed") === null);
    expect(created).toHaveLength(1);
    // The others replayed the first answer, or were told to retry (409) while it was still being made.
    for (const other of answers.filter((a) => !created.includes(a))) {
      expect(other.status === 409 || other.headers.get("idempotent-replayed") === "true").toBe(true);
    }
    const replay = await post();
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    const { id } = (await created[0]!.json()) as { id: string };
    expect(((await replay.json()) as { id: string }).id).toBe(id);
    const all = (await (
      await fetch(`${server.base}/api/v1/incidents?limit=500`, { headers: { authorization: `Bearer ${adminKey}` } })
    ).json()) as { name: string }[];
    expect(all.filter((i) => i.name === "Double click")).toHaveLength(1);
  });

  it("starts a maintenance window when its time comes, on the runtime's own tick", async () => {
    const { base } = server;
    const start = Date.now() + 1_000;
    const scheduled = await fetch(`${base}/api/v1/maintenances`, {
      method: "POST",
      headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" },
      body: JSON.stringify({
        name: "Wintix database upgrade",
        scheduled_for: new Date(start).toISOString(),
        scheduled_until: new Date(start + 3600e3).toISOString(),
      }),
    });
    expect(scheduled.status).toBe(201);
    const { id } = (await scheduled.json()) as { id: string };
    await new Promise((r) => setTimeout(r, start - Date.now() + 100));
    await tick(base);
    await waitUntil(async () => {
      const active = await (await fetch(`${base}/api/v2/scheduled-maintenances/active.json`)).json();
      return active.scheduled_maintenances.some((m: { id: string }) => m.id === id);
    }, "the maintenance starting");
  }, 90_000);

  it("rejects bad input with the same JSON errors", async () => {
    const { base } = server;
    const noKey = await fetch(`${base}/api/v1/incidents`, { method: "POST", body: "{}" });
    expect(noKey.status).toBe(401);
    expect(await noKey.text()).toBe(
      '{"error":{"code":"unauthorized","message":"Missing API key: send Authorization: Bearer <key>"}}',
    );
    const invalid = await fetch(`${base}/api/v1/incidents`, {
      method: "POST",
      headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" },
      body: '{"name": ""}',
    });
    expect(invalid.status).toBe(422);
    expect(await invalid.text()).toBe(
      '{"error":{"code":"validation_failed","message":"name: must not be empty","details":[{"path":"name","message":"must not be empty"}]}}',
    );
    const tooBig = await fetch(`${base}/api/v1/incidents`, {
      method: "POST",
      headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" },
      body: JSON.stringify({ name: "x", body: "y".repeat(70_000) }),
    });
    expect(tooBig.status).toBe(413);
    expect(await tooBig.text()).toBe(
      '{"error":{"code":"payload_too_large","message":"Request bodies here are limited to 64 KB"}}',
    );
  });

  it("refuses a webhook aimed at this machine or the metadata service, without DNS on Workers too", async () => {
    const { base } = server;
    for (const [url, reason] of [
      ["http://0x7f000001:8080/hook", "address is loopback"],
      ["http://[::ffff:127.0.0.1]/hook", "address is loopback"],
      ["http://169.254.169.254/latest/meta-data/", "address is link-local"],
      ["http://localhost:3000/hook", "localhost is not a public host name"],
    ]) {
      const res = await fetch(`${base}/api/v1/webhooks`, {
        method: "POST",
        headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" },
        body: JSON.stringify({ url }),
      });
      expect(res.status, url).toBe(422);
      expect(((await res.json()) as { error: { message: string } }).error.message).toBe(`url: refused: ${reason}`);
    }
  });

  it("serves /metrics to a key on Node, and says on Workers that it does not", async () => {
    expect((await fetch(`${server.base}/`)).status).toBe(200);
    const res = await fetch(`${server.base}/metrics`, { headers: { authorization: `Bearer ${adminKey}` } });
    if (name.includes("Node")) {
      expect(res.status).toBe(200);
      expect(await res.text()).toMatch(/^marquee_http_requests_total\{kind="page",status_class="2xx"\} \d+$/m);
    } else {
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/Node server only/);
    }
  });
});
