import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "@/api/config";
import { startNodeServer } from "@/api/node-runtime";
import { followLocalPort, getPageSettings } from "@/api/services/page-settings";
import { deliveries } from "@/db/schema";
import { makeApp } from "@/test/support/app";
import { freePort } from "@/test/support/server";
import { waitUntil } from "@/test/support/wait";

const adminKey = "0c5e9a2f7b1d4836a9e2c7f05b3d8e1a";
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Starts the Node server on DATA_DIR and PORT, waits for the published set, reads what a reader sees, stops. */
async function startAndRead(dataDir: string, env: Record<string, string> = {}, expectUrl?: string) {
  const port = await freePort();
  const config = parseConfig({ PORT: String(port), DATA_DIR: dataDir, ADMIN_API_KEY: adminKey, ...env });
  const server = await startNodeServer(config, () => {});
  try {
    const base = `http://127.0.0.1:${port}`;
    const read = (path: string) => fetch(`${base}${path}`).then((r) => r.text());
    await waitUntil(async () => (await fetch(`${base}/healthz`)).status === 200, "the pages are published");
    // The republish after an address change runs after start: wait for the JSON to show the address it expects.
    const expected = expectUrl ?? env.SITE_URL ?? `http://localhost:${port}`;
    await waitUntil(
      async () => JSON.parse(await read("/api/v2/summary.json")).page.url === expected,
      "the JSON shows the page's address",
    );
    const patch = (body: unknown) =>
      fetch(`${base}/api/v1/page`, {
        method: "PATCH",
        headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    return {
      port,
      patch,
      summary: JSON.parse(await read("/api/v2/summary.json")) as { page: { url: string } },
      atom: await read("/history.atom"),
      rss: await read("/history.rss"),
      publisher: server.publisher,
    };
  } finally {
    cleanups.push(server.close);
  }
}

describe("the page's address", () => {
  it("follows PORT without SITE_URL: a restart on another port republishes links, feeds and JSON with it", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "marquee-address-"));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const first = await startAndRead(dataDir);
    expect(first.summary.page.url).toBe(`http://localhost:${first.port}`);
    await cleanups.pop()!();

    const second = await startAndRead(dataDir);
    expect(second.port).not.toBe(first.port);
    expect(second.summary.page.url).toBe(`http://localhost:${second.port}`);
    expect(second.atom).toContain(`href="http://localhost:${second.port}/history.atom"`);
    expect(second.rss).toContain(`<link>http://localhost:${second.port}</link>`);
    expect(second.atom + second.rss).not.toContain(`localhost:${first.port}`);
  });

  it("is SITE_URL whenever it is set, whatever the port", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "marquee-address-"));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    await startAndRead(dataDir);
    await cleanups.pop()!();
    const withSiteUrl = await startAndRead(dataDir, { SITE_URL: "https://status.example.com" });
    expect(withSiteUrl.summary.page.url).toBe("https://status.example.com");
    expect(withSiteUrl.atom).toContain('href="https://status.example.com/history.atom"');
    expect(withSiteUrl.atom).not.toMatch(/localhost:\d+/);
  });

  it("keeps an address set by hand in the page settings across restarts on other ports", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "marquee-address-"));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const first = await startAndRead(dataDir);
    expect((await first.patch({ url: "https://status.tix.example" })).status).toBe(200);
    await first.publisher.idle();
    await cleanups.pop()!();
    const second = await startAndRead(dataDir, {}, "https://status.tix.example");
    expect(second.summary.page.url).toBe("https://status.tix.example");
  });
});

describe("following the port while emails wait in the outbox", () => {
  it("keeps the address their chunks were built with until the outbox is empty", async () => {
    const t = await makeApp();
    cleanups.push(t.cleanup);
    await t.notifier.stop();
    expect((await t.call("PATCH", "/api/v1/page", { url: "http://localhost:4200" })).status).toBe(200);
    const imported = await t.call("POST", "/api/v1/subscribers/import", {
      subscribers: [{ email: "customer@example.com" }],
      skip_confirmation: true,
    });
    expect(imported.status).toBe(200);
    expect((await t.call("POST", "/api/v1/incidents", { name: "Webtix down on tix1" })).status).toBe(201);

    // A chunk resent after a crash must be the same request, or Resend refuses its idempotency key.
    expect(await followLocalPort(t.deps, "http://localhost:4300")).toBe(false);
    expect((await getPageSettings(t.deps)).url).toBe("http://localhost:4200");

    await t.deps.db.update(deliveries).set({ status: "sent" });
    expect(await followLocalPort(t.deps, "http://localhost:4300")).toBe(true);
    expect((await getPageSettings(t.deps)).url).toBe("http://localhost:4300");
  });
});
