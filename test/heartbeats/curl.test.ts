import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseConfig } from "@/api/config";
import { startNodeServer } from "@/api/node-runtime";
import { freePort } from "@/test/support/server";
import { waitUntil } from "@/test/support/wait";

const run = promisify(execFile);
const curlPath = ["/usr/bin/curl", "/bin/curl", "/usr/local/bin/curl"].find((p) => existsSync(p));
const adminKey = "5b0e6c1d9a7f4e2b8c3d1a0f6e9b7c25";

/** `curl -fsS -m 10 --retry 3 URL`, as the docs tell a cron job to ping; gives its exit code and output. */
async function curl(url: string, ...extra: string[]) {
  try {
    const { stdout, stderr } = await run(curlPath!, ["-fsS", "-m", "10", "--retry", "3", ...extra, url]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

// The real server on a real port, its own ticker on the real clock: what a cron job on another machine talks to.
describe.skipIf(!curlPath)("curl against the real server", () => {
  let base: string;
  let close: () => Promise<void> | void;
  let dataDir: string;
  const api = (method: string, path: string, body?: unknown) =>
    fetch(`${base}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const status = async (componentId: string) => {
    const summary = (await (await fetch(`${base}/api/v2/summary.json`)).json()) as {
      components: { id: string; status: string }[];
    };
    return summary.components.find((c) => c.id === componentId)?.status;
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "marquee-heartbeat-curl-"));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    const config = parseConfig({ PORT: String(port), DATA_DIR: dataDir, ADMIN_API_KEY: adminKey, SITE_URL: base });
    const server = await startNodeServer(config, () => {});
    close = server.close;
    await waitUntil(async () => (await fetch(`${base}/healthz`)).status === 200, "the pages are published");
  });
  afterAll(async () => {
    await close?.();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("a cron job's curl pings succeed, report a failure, and recover the component", async () => {
    const components = (await (await api("GET", "/components")).json()) as { id: string; name: string }[];
    const tix1 = components.find((c) => c.name === "tix1")!.id;
    const created = await api("POST", "/heartbeats", {
      name: "Nightly backup",
      period_seconds: 86400,
      grace_seconds: 3600,
      component_id: tix1,
    });
    expect(created.status).toBe(201);
    const { id, ping_url } = (await created.json()) as { id: string; ping_url: string };
    expect(ping_url.startsWith(`${base}/ping/`)).toBe(true);

    expect(await curl(ping_url)).toEqual({ code: 0, stdout: "OK\n", stderr: "" });
    expect(await curl(`${ping_url}/start`)).toMatchObject({ code: 0 });
    expect(await curl(`${ping_url}/1`, "--data-raw", "pg_dump: connection refused")).toMatchObject({ code: 0 });
    await waitUntil(async () => (await status(tix1)) === "major_outage", "the component shows the failed backup");

    expect(await curl(`${ping_url}/0`, "-I")).toMatchObject({ code: 0 });
    await waitUntil(async () => (await status(tix1)) === "operational", "the component is back");
    const beat = (await (await api("GET", `/heartbeats/${id}`)).json()) as { state: string };
    expect(beat.state).toBe("up");
    const pings = (await (await api("GET", `/heartbeats/${id}/pings`)).json()) as Record<string, unknown>[];
    expect(pings.map((p) => [p.method, p.kind, p.exit_code])).toEqual([
      ["HEAD", "success", 0],
      ["POST", "fail", 1],
      ["GET", "start", null],
      ["GET", "success", null],
    ]);
    expect(pings[1]).toMatchObject({ body: "pg_dump: connection refused", client_address: "127.0.0.1" });
    expect(pings[0]!.user_agent).toMatch(/^curl\//);
  });

  it("an unknown ping URL makes curl fail (-f), with nothing about any heartbeat", async () => {
    const result = await curl(`${base}/ping/${"0".repeat(40)}`);
    expect(result.code).toBe(22);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/404/);
  });
});
