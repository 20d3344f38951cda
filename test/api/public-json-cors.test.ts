import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "@/api/config";
import { startNodeServer } from "@/api/node-runtime";
import { makeApp } from "@/test/support/app";
import { waitUntil } from "@/test/support/wait";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start() {
  const dir = mkdtempSync(join(tmpdir(), "marquee-cors-"));
  const server = await startNodeServer(parseConfig({ PORT: "0", DATA_DIR: dir }), () => {});
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }), server.close);
  const base = `http://127.0.0.1:${server.port}`;
  await waitUntil(async () => (await fetch(`${base}/healthz`)).status === 200, "the pages are published");
  return base;
}

const widget = { origin: "https://widget.example.net" };

describe("the public JSON read from another origin", () => {
  it("answers the preflight of a conditional GET, which a widget polling with If-None-Match sends", async () => {
    const base = await start();
    for (const path of ["/api/v2/summary.json", "/api/v2/incidents/unresolved.json"]) {
      const preflight = await fetch(`${base}${path}`, {
        method: "OPTIONS",
        headers: {
          ...widget,
          "access-control-request-method": "GET",
          "access-control-request-headers": "if-none-match",
        },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get("access-control-allow-origin")).toBe("*");
      expect(preflight.headers.get("access-control-allow-methods")).toContain("GET");
      expect(preflight.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("if-none-match");
    }
  });

  it("lets the reader see the entity tag and revalidate with it, the 304 carrying the CORS header too", async () => {
    const base = await start();
    const first = await fetch(`${base}/api/v2/summary.json`, { headers: widget });
    expect(first.status).toBe(200);
    expect(first.headers.get("access-control-allow-origin")).toBe("*");
    expect(first.headers.get("access-control-expose-headers")).toMatch(/etag/i);
    const etag = first.headers.get("etag")!;
    const again = await fetch(`${base}/api/v2/summary.json`, { headers: { ...widget, "if-none-match": etag } });
    expect(again.status).toBe(304);
    expect(again.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("preflights nothing else: the staff API grants no cross-origin access", async () => {
    const base = await start();
    const preflight = await fetch(`${base}/api/v1/incidents`, {
      method: "OPTIONS",
      headers: { ...widget, "access-control-request-method": "POST" },
    });
    expect(preflight.status).toBe(401);
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("is answered by the app itself too, as on Workers, where every request goes through it", async () => {
    const t = await makeApp();
    cleanups.push(t.cleanup);
    const preflight = await t.app.request("https://status.example.com/api/v2/status.json", {
      method: "OPTIONS",
      headers: { ...widget, "access-control-request-method": "GET", "access-control-request-headers": "if-none-match" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-headers")?.toLowerCase()).toContain("if-none-match");
  });
});
