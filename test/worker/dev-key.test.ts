import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { exited, freePort, wranglerStartupMs } from "@/test/support/server";
import { waitUntil } from "@/test/support/wait";

const state = mkdtempSync(join(tmpdir(), "marquee-worker-dev-key-"));
let running: ChildProcess | undefined;
const stop = async () => {
  if (!running || running.exitCode !== null) return;
  const done = exited(running);
  process.kill(-running.pid!, "SIGTERM");
  await done;
};
afterAll(async () => {
  await stop();
  rmSync(state, { recursive: true, force: true });
});

/** `npm run worker:dev` without ADMIN_API_KEY, as a developer runs it; resolves once the worker answers. */
async function workerDev() {
  const port = await freePort();
  const env: Record<string, string | undefined> = { ...process.env, PORT: String(port), WORKER_STATE_DIR: state };
  delete env.ADMIN_API_KEY;
  const child = spawn("node", ["scripts/worker-dev.mjs"], { env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  running = child;
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  const base = `http://127.0.0.1:${port}`;
  await waitUntil(
    () =>
      fetch(`${base}/healthz`).then(
        (r) => r.ok,
        () => false,
      ),
    "the worker answers",
    { timeoutMs: wranglerStartupMs, everyMs: 200 },
  );
  const key = /Development admin key[^\n]*\n\s*\n\s+(\S+)/.exec(output)?.[1];
  return { base, key, output: () => output };
}

describe("npm run worker:dev", () => {
  it(
    "keeps one development admin key across runs, prints it, and logs publishes as information",
    async () => {
      const first = await workerDev();
      expect(first.key).toBeDefined();
      expect(statSync(join(state, "admin-api-key")).mode & 0o777).toBe(0o600);
      const components = await fetch(`${first.base}/api/v1/components`, {
        headers: { authorization: `Bearer ${first.key}` },
      });
      expect(components.status).toBe(200);
      const res = await fetch(`${first.base}/api/v1/incidents`, {
        method: "POST",
        headers: { authorization: `Bearer ${first.key}`, "content-type": "application/json" },
        body: JSON.stringify({ name: "Webtix down on tix1", notify: false }),
      });
      expect(res.status).toBe(201);
      await waitUntil(() => /published \d+ pages/.test(first.output()), "the publish is logged");
      const publishLines = first
        .output()
        .split("\n")
        .filter((l) => /published/.test(l));
      expect(publishLines.length).toBeGreaterThan(0);
      for (const line of publishLines) expect(line).not.toMatch(/ERROR/);
      await stop();

      const second = await workerDev();
      expect(second.key).toBe(first.key);
      const again = await fetch(`${second.base}/api/v1/components`, {
        headers: { authorization: `Bearer ${first.key}` },
      });
      expect(again.status).toBe(200);
    },
    wranglerStartupMs + 60_000,
  );
});
