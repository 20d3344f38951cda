import { afterAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { exited, freePort } from "@/test/support/server";

/**
 * The worker as deployed without its secrets (wrangler.toml alone, no migrations applied): every request is told
 * what is missing, by name, instead of failing somewhere inside.
 */
describe("the worker without ADMIN_API_KEY and RESEND_API_KEY", () => {
  const state = mkdtempSync(join(tmpdir(), "marquee-worker-bare-"));
  let stop = async () => {};
  afterAll(async () => {
    await stop();
    rmSync(state, { recursive: true, force: true });
  });

  it("answers 503 with a JSON error naming the missing secret, on the API and on the page alike", async () => {
    const [port, inspector] = [await freePort(), await freePort()];
    const child = spawn(
      resolve("node_modules/.bin/wrangler"),
      ["dev", "--port", String(port), "--inspector-port", String(inspector), "--ip", "127.0.0.1"],
      { env: { ...process.env, WRANGLER_SEND_METRICS: "false" }, stdio: "ignore", detached: true },
    );
    stop = async () => {
      if (child.exitCode !== null) return;
      process.kill(-child.pid!, "SIGTERM");
      await exited(child);
    };
    const base = `http://127.0.0.1:${port}`;
    let res: Response | undefined;
    for (const deadline = Date.now() + 60_000; !res && Date.now() < deadline;) {
      res = await fetch(`${base}/`).catch(() => undefined);
      if (!res) await new Promise((r) => setTimeout(r, 200));
    }
    expect(res?.status).toBe(503);
    const message =
      "Marquee cannot start: The secret ADMIN_API_KEY is not set: run `wrangler secret put ADMIN_API_KEY`";
    expect(await res!.json()).toEqual({ error: { code: "unavailable", message } });
    const api = await fetch(`${base}/api/v1/components`);
    expect(api.status).toBe(503);
    expect(((await api.json()) as { error: { message: string } }).error.message).toBe(message);
  }, 90_000);
});
