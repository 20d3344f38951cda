import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { api, cpuSecondsOf, startMarquee, waitFor } from "./lib";

type Report = (line: string) => void;
const platforms = ["slack", "discord", "teams", "google_chat"] as const;
const ok: Record<string, { status: number; body: string }> = {
  slack: { status: 200, body: "ok" },
  discord: { status: 200, body: "{}" },
  teams: { status: 202, body: "" },
  google_chat: { status: 200, body: "{}" },
};

/**
 * Fake platforms as strict as the real ones get: each webhook takes at most one message a second (a second one
 * within the second is answered 429, Retry-After: 1, and counts as a breach of the limit), and every tenth request
 * overall is answered 429 (Retry-After: 1) regardless.
 */
export async function startStrictPlatforms() {
  const lastAccepted = new Map<string, number>();
  const accepted = new Map<string, number>();
  const refusedPerHook = new Map<string, number>();
  let requests = 0;
  let breaches = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const server: Server = createServer(async (req, res) => {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    for await (const _ of req);
    const [, platform, hook] = new URL(req.url ?? "/", "http://x").pathname.split("/") as [string, string, string];
    const now = performance.now();
    requests += 1;
    const tooSoon = now - (lastAccepted.get(hook) ?? -Infinity) < 1000;
    if (tooSoon) breaches += 1;
    res.once("finish", () => (inFlight -= 1));
    if (requests % 10 === 0 || tooSoon) {
      refusedPerHook.set(hook, (refusedPerHook.get(hook) ?? 0) + 1);
      res.writeHead(429, { "retry-after": "1", "content-type": "application/json" });
      res.end(platform === "discord" ? '{"message":"rate limited","retry_after":1,"global":false}' : "rate_limited");
      return;
    }
    lastAccepted.set(hook, now);
    accepted.set(hook, (accepted.get(hook) ?? 0) + 1);
    res.writeHead(ok[platform]!.status).end(ok[platform]!.body);
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    url: (platform: string, hook: string) => `${base}/${platform}/${hook}?key=k&token=t`,
    accepted,
    refusedPerHook,
    stats: () => ({ requests, breaches, maxInFlight }),
    close: () => new Promise<void>((done) => (server.closeAllConnections(), server.close(() => done()))),
  };
}

/** `npm run bench -- chat`: one update to 1,000 broadcast channels, 250 per platform (docs/BENCHMARKS.md). */
export async function chatBenchmark(report: Report, channels = 1000) {
  report(`\n## Chat: one update to ${channels} channels\n`);
  for (let run = 1; run <= (Number(process.env.CHAT_BENCH_RUNS) || 2); run++) {
    const dataDir = mkdtempSync(join(tmpdir(), "marquee-bench-chat-"));
    const fake = await startStrictPlatforms();
    const marquee = await startMarquee(dataDir, { ALLOW_PRIVATE_WEBHOOKS: "true" });
    try {
      for (let i = 0; i < channels; i++) {
        const type = platforms[i % 4]!;
        await api(marquee.base, "POST", "/channels", { type, url: fake.url(type, `h${i}`), purpose: "broadcast" });
      }
      const cpuBefore = cpuSecondsOf(marquee.child.pid!);
      const started = performance.now();
      await api(marquee.base, "POST", "/incidents", { name: "Webtix down on tix1", body: "Sales fail on **tix1**." });
      const answeredMs = performance.now() - started;
      await waitFor(async () => fake.accepted.size === channels, 120_000, 10);
      const allMs = performance.now() - started;
      const db = new Database(join(dataDir, "marquee.db"), { readonly: true });
      await waitFor(async () => {
        const row = db.prepare("select count(*) as n from chat_posts where status <> 'sent'").get() as { n: number };
        return row.n === 0;
      }, 60_000);
      db.close();
      const cpu = cpuSecondsOf(marquee.child.pid!) - cpuBefore;
      const duplicates = [...fake.accepted.values()].reduce((n, k) => n + k - 1, 0);
      const lost = channels - fake.accepted.size;
      // What the limits allow: a channel refused k times waits k × 1 s (Retry-After) before its post can land.
      const floorS = Math.max(0, ...fake.refusedPerHook.values());
      const { requests, breaches, maxInFlight } = fake.stats();
      report(
        `run ${run}: POST answered ${answeredMs.toFixed(0)} ms; all ${channels} channels posted in **${(allMs / 1000).toFixed(1)} s** ` +
          `(floor ${floorS} s: ${(allMs / 1000 / Math.max(1, floorS)).toFixed(2)} × floor); lost ${lost}, duplicates ${duplicates}; ` +
          `${requests} requests (${requests - channels - duplicates} answered 429), per-webhook limit breached ${breaches} times; ` +
          `at most ${maxInFlight} in flight; Marquee CPU ${(cpu * 1000).toFixed(0)} ms`,
      );
    } finally {
      await marquee.stop();
      await fake.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
}
