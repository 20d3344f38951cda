import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { api, median, percentile, startMarquee } from "./lib";

/** Heartbeats pinged in turn: each takes 30 pings a minute, so the run stays far below every heartbeat's limit. */
const heartbeatCount = 100;
const rounds = 1500;

/**
 * Heartbeat pings against the same server's `/` (a published page answered from memory), one request at a time over
 * keep-alive, interleaved so that both see the same machine. A ping is one indexed read, a rate-limit upsert and one
 * write transaction (the heartbeat, its ping, the log's trim). Success pings on up heartbeats: the common case.
 */
export async function heartbeatPingBenchmark(report: (line: string) => void) {
  const work = mkdtempSync(join(tmpdir(), "marquee-bench-heartbeat-"));
  const marquee = await startMarquee(join(work, "data"));
  try {
    const urls: string[] = [];
    for (let i = 0; i < heartbeatCount; i++) {
      const beat = await api(marquee.base, "POST", "/heartbeats", {
        name: `job ${i}`,
        period_seconds: 3600,
        grace_seconds: 600,
      });
      urls.push(`${marquee.base}${new URL(beat.ping_url as string).pathname}`);
    }
    const time = async (url: string, init?: RequestInit) => {
      const start = performance.now();
      const res = await fetch(url, init);
      await res.arrayBuffer();
      return { ms: performance.now() - start, ok: res.status === 200 };
    };
    const samples = { ping: [] as number[], post: [] as number[], page: [] as number[] };
    let failures = 0;
    // Warm-up: one ping each (new → up), and the page.
    for (const url of urls) await time(url);
    for (let i = 0; i < 50; i++) await time(`${marquee.base}/`);
    for (let i = 0; i < rounds; i++) {
      const url = urls[i % heartbeatCount]!;
      const ping =
        i % 3 === 2
          ? await time(`${url}/0`, { method: "POST", body: "backup done: 42 GB in 812 s\n" })
          : await time(url);
      (i % 3 === 2 ? samples.post : samples.ping).push(ping.ms);
      const page = await time(`${marquee.base}/`);
      samples.page.push(page.ms);
      if (!ping.ok || !page.ok) failures++;
    }
    report(`\n## Heartbeat pings against \`/\` (${rounds} of each, one at a time, ${heartbeatCount} heartbeats)\n`);
    report("| request | p50 | p99 | max |\n|---|---:|---:|---:|");
    const row = (label: string, xs: number[]) =>
      report(
        `| ${label} | ${median(xs).toFixed(2)} ms | ${percentile(xs, 0.99).toFixed(2)} ms | ${Math.max(...xs).toFixed(1)} ms |`,
      );
    row("`GET /ping/{token}`", samples.ping);
    row("`POST /ping/{token}/0` with a log line", samples.post);
    row("`GET /` (reference)", samples.page);
    report(`\nFailed requests: ${failures}.`);
  } finally {
    await marquee.stop();
    rmSync(work, { recursive: true, force: true });
  }
}
