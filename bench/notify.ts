import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFakeResend } from "@/test/support/fake-resend";
import { api, memoryOf, startMarquee, waitFor } from "./lib";

type Report = (line: string) => void;

/** Fan-out of one incident to `count` confirmed subscribers through a fake Resend on 127.0.0.1. */
async function fanOut(count: number, rate: number, fakeLimit: number | undefined, work: string) {
  const fake = await startFakeResend({ requestsPerSecond: fakeLimit });
  const dataDir = mkdtempSync(join(work, "notify-"));
  const marquee = await startMarquee(dataDir, {
    RESEND_API_KEY: "re_bench",
    RESEND_BASE_URL: fake.url,
    RESEND_RATE_LIMIT: String(rate),
  });
  const rows = Array.from({ length: count }, (_, i) => ({ email: `customer${i}@example.com` }));
  await api(marquee.base, "POST", "/subscribers/import", { subscribers: rows, skip_confirmation: true });
  const started = performance.now();
  await api(marquee.base, "POST", "/incidents", { name: "Webtix down on tix1" });
  const answered = performance.now() - started;
  const mine = () => fake.accepted.filter((e) => e.subject.includes("Webtix down on tix1")).length;
  await waitFor(async () => mine() >= count, 600_000, 10);
  const seconds = (performance.now() - started) / 1000;
  const memory = memoryOf(marquee.child.pid!);
  const batch = fake.requests.filter((r) => r.path === "/emails/batch");
  const refused = batch.filter((r) => r.status === 429).length;
  await marquee.stop();
  await fake.close();
  return { seconds, answered, memory, calls: batch.length, refused, delivered: mine() };
}

/** SIGKILL in the middle of the fan-out, restart, and count emails per subscriber. */
async function crash(count: number, work: string) {
  const fake = await startFakeResend({ delayMs: 100 });
  const dataDir = mkdtempSync(join(work, "crash-"));
  const env = { RESEND_API_KEY: "re_bench", RESEND_BASE_URL: fake.url, RESEND_RATE_LIMIT: "50" };
  let marquee = await startMarquee(dataDir, env);
  const rows = Array.from({ length: count }, (_, i) => ({ email: `customer${i}@example.com` }));
  await api(marquee.base, "POST", "/subscribers/import", { subscribers: rows, skip_confirmation: true });
  await api(marquee.base, "POST", "/incidents", { name: "Webtix down on tix1" });
  const mine = () => fake.accepted.filter((e) => e.subject.includes("Webtix down on tix1"));
  await waitFor(async () => mine().length >= count / 2, 600_000, 2);
  await new Promise((r) => setTimeout(r, 40));
  marquee.child.kill("SIGKILL");
  await new Promise((r) => marquee.child.once("exit", r));
  const atKill = mine().length;
  marquee = await startMarquee(dataDir, env);
  await waitFor(async () => mine().length >= count, 600_000, 20);
  await new Promise((r) => setTimeout(r, 1000));
  await marquee.stop();
  await fake.close();
  const per = new Map<string, number>();
  for (const e of mine()) per.set(e.to, (per.get(e.to) ?? 0) + 1);
  const keys = fake.requests.filter((r) => r.path === "/emails/batch").map((r) => r.idempotencyKey);
  return {
    atKill,
    recipients: per.size,
    twice: [...per.values()].filter((n) => n > 1).length,
    replayed: keys.length - new Set(keys).size,
  };
}

export async function notifyBenchmark(report: Report) {
  const work = mkdtempSync(join(tmpdir(), "marquee-notify-"));
  try {
    report("\n## Notifications: one incident to 10,000 confirmed subscribers through a fake Resend\n");
    report(
      "| setting | incident POST answered | last email accepted | Resend calls | refused with 429 | server RSS, peak |",
    );
    report("|---|---:|---:|---:|---:|---:|");
    const fast = await fanOut(10_000, 100, undefined, work);
    report(
      `| RESEND_RATE_LIMIT=100, fake answers at once | ${fast.answered.toFixed(0)} ms | **${fast.seconds.toFixed(1)} s** | ${fast.calls} | ${fast.refused} | ${fast.memory.rss.toFixed(0)} MB, ${fast.memory.peak.toFixed(0)} MB |`,
    );
    const paced = await fanOut(10_000, 2, 2, work);
    report(
      `| default limit 2/s, fake enforcing 2/s | ${paced.answered.toFixed(0)} ms | **${paced.seconds.toFixed(1)} s** (${(paced.seconds / 50).toFixed(2)} × the 50 s floor) | ${paced.calls} | ${paced.refused} (${((100 * paced.refused) / paced.calls).toFixed(1)}%) | ${paced.memory.rss.toFixed(0)} MB, ${paced.memory.peak.toFixed(0)} MB |`,
    );
    const c = await crash(10_000, work);
    report(
      `\nSIGKILL at ${c.atKill.toLocaleString("en")} of 10,000 accepted, then restart: ${c.recipients.toLocaleString("en")} subscribers with an email, ${c.twice} with two; ${c.replayed} chunk(s) sent again with the same idempotency key.`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
