import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { startFakeResend } from "@/test/support/fake-resend";
import { waitUntil } from "@/test/support/wait";
import { killed, removeDataDir, startServer } from "@/test/support/server";

const adminKey = "readers-test-admin-key-0123-vq7w2kx9-bd3k";
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

// An update as long as staff write in a bad outage: 20 KB of Markdown, rendered once, sent 10,000 times.
const longBody = Array.from(
  { length: 60 },
  (_, i) =>
    `### Update ${i}\n\nThe provider restarted **tix1** again; see [their page](https://status.example.net).\n\n- one\n- two\n`,
).join("\n");

describe("readers during a fan-out", () => {
  it("keep being answered while 10,000 emails go out: the page does not wait for the sender", async () => {
    const fake = await startFakeResend();
    cleanups.push(() => fake.close());
    const dataDir = mkdtempSync(join(tmpdir(), "marquee-readers-"));
    cleanups.push(() => removeDataDir(dataDir));
    const server = await startServer({
      DATA_DIR: dataDir,
      ADMIN_API_KEY: adminKey,
      RESEND_API_KEY: "re_test",
      RESEND_BASE_URL: fake.url,
      RESEND_RATE_LIMIT: "1000",
    });
    cleanups.push(() => killed(server.child));
    const api = async (method: string, path: string, body: unknown) => {
      const res = await fetch(`${server.base}/api/v1${path}`, {
        method,
        headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      expect(res.status, await res.clone().text()).toBeLessThan(300);
      return res.json() as Promise<unknown>;
    };
    const components = (await (await fetch(`${server.base}/api/v2/components.json`)).json()) as {
      components: { id: string; name: string }[];
    };
    const webtix = components.components.find((c) => c.name === "Webtix")!.id;
    const subscribers = Array.from({ length: 10_000 }, (_, i) => ({ email: `reader${i}@example.com` }));
    await api("POST", "/subscribers/import", { subscribers, skip_confirmation: true });

    // The reader runs in a process of its own: this one is busy being Resend, parsing 400 KB batches.
    const reader = startReader(`${server.base}/`);
    cleanups.push(() => reader.child.kill("SIGKILL"));
    await reader.started;
    await api("POST", "/incidents", { name: "Webtix down", body: longBody, components: { [webtix]: "major_outage" } });
    await waitUntil(() => fake.accepted.length >= 10_000, "10,000 emails accepted");
    const answers = await reader.stop();
    const batches = fake.requests.filter((r) => r.path === "/emails/batch").map((r) => r.time);
    const [first, last] = [Math.min(...batches), Math.max(...batches)];
    // A sender that held the event loop for its whole fan-out would let a reader or two through at its ends.
    expect(answers.failed).toBe(0);
    expect(answers.at.filter((t) => t > first && t < last).length).toBeGreaterThanOrEqual(20);
    expect(new Set(fake.accepted.map((e) => e.to)).size).toBe(10_000);
  });
});

/** GET `url` one request after another until SIGTERM; then report when each answer arrived (Date.now()). */
function startReader(url: string) {
  const script = `
    const at = []; let failed = 0; let running = true;
    process.on("SIGTERM", () => { running = false; });
    console.log("started");
    while (running) {
      try { const res = await fetch(${JSON.stringify(url)}); await res.arrayBuffer(); res.ok ? at.push(Date.now()) : failed++; }
      catch { failed++; }
    }
    console.log(JSON.stringify({ at, failed }));
  `;
  const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout.on("data", (d: Buffer) => (out += d));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    child,
    started: waitUntil(() => out.startsWith("started"), "the reader started"),
    async stop(): Promise<{ at: number[]; failed: number }> {
      child.kill("SIGTERM");
      await exited;
      return JSON.parse(out.trim().split("\n").at(-1)!) as { at: number[]; failed: number };
    },
  };
}
