import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runOutageScenario } from "./scenario";
import { freePort } from "@/test/support/server";

const adminKey = "e2e-admin-key-0123456789";

describe("npm start", () => {
  let child: ChildProcess;
  let base: string;
  let dataDir: string;
  let output = "";

  beforeAll(async () => {
    const port = await freePort();
    dataDir = mkdtempSync(join(tmpdir(), "marquee-e2e-"));
    base = `http://127.0.0.1:${port}`;
    child = spawn("npm", ["start"], {
      env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, ADMIN_API_KEY: adminKey, SITE_URL: "" },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    child.stdout!.on("data", (d) => (output += d));
    child.stderr!.on("data", (d) => (output += d));
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const ok = await fetch(`${base}/healthz`).then(
        (r) => r.ok,
        () => false,
      );
      if (ok) return;
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`The server did not start:\n${output}`);
  }, 90_000);

  afterAll(async () => {
    if (child.exitCode === null) {
      process.kill(-child.pid!, "SIGTERM");
      await new Promise((r) => child.once("exit", r));
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("serves the seeded page, and shows an outage from the first post to its resolution", async () => {
    expect(output).toContain("Marquee is serving");
    const { publishDelayMs } = await runOutageScenario(base, adminKey);
    expect(publishDelayMs).toBeLessThan(1000);
  });

  it("answers readers with compression, ETag and 304, and HEAD on the Statuspage paths", async () => {
    const first = await fetch(`${base}/api/v2/summary.json`, { headers: { "accept-encoding": "br" } });
    expect(first.headers.get("content-encoding")).toBe("br");
    expect(first.headers.get("access-control-allow-origin")).toBe("*");
    const etag = first.headers.get("etag")!;
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
});
