import { afterAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { exited, freePort, wranglerStartupMs } from "@/test/support/server";

/** Starts a command in its own process group; `stop` ends the group. */
function spawnGroup(command: string, args: string[], env: Record<string, string>) {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: "ignore", detached: true });
  const stop = async () => {
    if (child.exitCode !== null) return;
    process.kill(-child.pid!, "SIGTERM");
    await exited(child);
  };
  return stop;
}

/** Polls until the URL answers at all (any status). */
async function firstAnswer(url: string): Promise<Response> {
  for (const deadline = Date.now() + wranglerStartupMs; Date.now() < deadline;) {
    const res = await fetch(url).catch(() => undefined);
    if (res) return res;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} never answered`);
}

describe("a cron tick before the first request, without SITE_URL", () => {
  const state = mkdtempSync(join(tmpdir(), "marquee-worker-cron-first-"));
  let stop = async () => {};
  afterAll(async () => {
    await stop();
    rmSync(state, { recursive: true, force: true });
  });

  it(
    "sets nothing up; the first request seeds the page with its own address",
    async () => {
      const port = await freePort();
      stop = spawnGroup("node", ["scripts/worker-dev.mjs"], {
        PORT: String(port),
        WORKER_STATE_DIR: state,
        ADMIN_API_KEY: "cron-first-admin-key-0123-vq7w2kx9",
        EMAIL_TRANSPORT: "log",
      });
      const base = `http://127.0.0.1:${port}`;
      expect((await firstAnswer(`${base}/__scheduled?cron=*+*+*+*+*`)).status).toBe(200);
      const summary = (await (await fetch(`${base}/api/v2/summary.json`)).json()) as { page: { url: string } };
      expect(summary.page.url).toBe(base);
    },
    wranglerStartupMs + 60_000,
  );
});

/**
 * The worker as deployed without its secrets (wrangler.toml alone, no migrations applied): every request is told
 * that the page is not configured, and only the operator's log says what is missing.
 */
describe("the worker without ADMIN_API_KEY and RESEND_API_KEY", () => {
  const state = mkdtempSync(join(tmpdir(), "marquee-worker-bare-"));
  let stop = async () => {};
  afterAll(async () => {
    await stop();
    rmSync(state, { recursive: true, force: true });
  });

  it(
    "answers 503 with a JSON error that names no setting, on the API and on the page alike",
    async () => {
      const [port, inspector] = [await freePort(), await freePort()];
      stop = spawnGroup(
        resolve("node_modules/.bin/wrangler"),
        ["dev", "--port", String(port), "--inspector-port", String(inspector), "--ip", "127.0.0.1"],
        { WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
      );
      const base = `http://127.0.0.1:${port}`;
      const res = await firstAnswer(`${base}/`);
      expect(res.status).toBe(503);
      // The names are for the operator's log (worker/start-failure.ts, test/worker/start-failure.test.ts).
      const message = "Marquee is not configured yet";
      expect(await res.json()).toEqual({ error: { code: "unavailable", message } });
      const api = await fetch(`${base}/api/v1/components`);
      expect(api.status).toBe(503);
      expect(((await api.json()) as { error: { message: string } }).error.message).toBe(message);
    },
    wranglerStartupMs + 60_000,
  );
});
