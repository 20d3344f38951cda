import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnServer, wranglerStartupMs } from "@/test/support/server";
import { waitUntil } from "@/test/support/wait";

const adminKey = "7d3f0b9e2a6c4d18b5e0f3a7c9d2e6b1";

/**
 * Heartbeats in the Workers build under `wrangler dev` (workerd, local D1), as `npm run worker:dev` starts it: the
 * cron schedule is read by croner inside workerd, and a failure ping reaches the component within the invocation.
 */
describe("heartbeats on Workers (npm run worker:dev)", () => {
  let server: Awaited<ReturnType<typeof spawnServer>>;
  let stateDir: string;
  const api = (method: string, path: string, body?: unknown) =>
    fetch(`${server.base}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const status = async (componentId: string) => {
    const summary = (await (await fetch(`${server.base}/api/v2/summary.json`)).json()) as {
      components: { id: string; status: string }[];
    };
    return summary.components.find((c) => c.id === componentId)?.status;
  };

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), "marquee-heartbeat-worker-"));
    server = await spawnServer(
      ["npm", "run", "worker:dev"],
      { WORKER_STATE_DIR: stateDir, ADMIN_API_KEY: adminKey, SITE_URL: "" },
      wranglerStartupMs,
    );
  }, wranglerStartupMs + 30_000);
  afterAll(async () => {
    await server?.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }, 60_000);

  it("takes a cron schedule in a time zone, and pings that fail and recover move the component", async () => {
    const components = (await (await api("GET", "/components")).json()) as { id: string; name: string }[];
    const wintix = components.find((c) => c.name === "Wintix")!.id;
    const bad = await api("POST", "/heartbeats", { name: "x", schedule: "0 3 * * *", time_zone: "Mars/Olympus" });
    expect(bad.status).toBe(422);
    const created = await api("POST", "/heartbeats", {
      name: "Box-office export",
      schedule: "0 3 * * *",
      time_zone: "Europe/Berlin",
      grace_seconds: 600,
      component_id: wintix,
    });
    expect(created.status).toBe(201);
    const { id, ping_url } = (await created.json()) as { id: string; ping_url: string };
    const ping = (suffix = "") => fetch(`${server.base}${new URL(ping_url).pathname}${suffix}`);

    const ok = await ping();
    expect([ok.status, await ok.text()]).toEqual([200, "OK\n"]);
    const up = (await (await api("GET", `/heartbeats/${id}`)).json()) as { state: string; late_at: string };
    expect(up.state).toBe("up");
    // The next 03:00 in Berlin is 01:00 or 02:00 UTC, depending on the season.
    expect(up.late_at).toMatch(/T0[12]:00:00\.000Z$/);

    expect((await ping("/3")).status).toBe(200);
    await waitUntil(async () => (await status(wintix)) === "major_outage", "the component shows the failed export");
    expect((await ping("/0")).status).toBe(200);
    await waitUntil(async () => (await status(wintix)) === "operational", "the component is back");

    const unknown = await fetch(`${server.base}/ping/${"0".repeat(40)}`);
    expect(unknown.status).toBe(404);
  }, 120_000);
});
