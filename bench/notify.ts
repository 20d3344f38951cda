import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFakeResend } from "@/test/support/fake-resend";
import { loadavg } from "node:os";
import {
  api,
  cpuSecondsOf,
  type LatencySummary,
  memoryOf,
  probeLatency,
  startMarquee,
  startFakeResendProcess,
  waitFor,
} from "./lib";

type Report = (line: string) => void;

const incidentName = "Webtix down on tix1";
// What staff write in a real outage: several paragraphs of Markdown, a list, a link.
const incidentBody = `Since **14:05** our provider has been restarting one of its data centres, and **tix1** went down with it.

Online sales through Webtix on tix1 fail at the payment step. Box offices are not affected: **Wintix keeps
working everywhere**, and tix2, tix3 and tix5 sell as usual.

### What you can do

- Sell at the box office with Wintix, as usual.
- Customers who lost a basket can start again on another server; their seats are released after 15 minutes.
- Do not call the provider's support line: we are in contact with them and post every update here.

We expect tix1 back within the hour. The [provider's status page](https://status.example.net) has their side of it.

Next update by 15:00 at the latest, sooner if anything changes.`;

/**
 * Subscribers as a real page has them: half follow every component, half Webtix (and Wintix), and for every ten of
 * those one follows Wintix only and must not get an email about Webtix. Imported in requests of 50,000 rows, the API's
 * maximum.
 */
async function importAudience(base: string, recipients: number) {
  const components = (await api(base, "GET", "/components")) as { id: string; name: string }[];
  const id = (name: string) => components.find((c) => c.name === name)!.id;
  const [webtix, wintix] = [id("Webtix"), id("Wintix")];
  const rows = (from: number, to: number) =>
    Array.from({ length: to - from }, (_, k) => {
      const i = from + k;
      if (i >= recipients) return { email: `bystander${i}@example.com`, components: [wintix] };
      return i % 2 === 0
        ? { email: `customer${i}@example.com` }
        : { email: `customer${i}@example.com`, components: [webtix, wintix] };
    });
  const total = recipients + recipients / 10;
  for (let from = 0; from < total; from += 50_000) {
    await api(base, "POST", "/subscribers/import", {
      subscribers: rows(from, Math.min(total, from + 50_000)),
      skip_confirmation: true,
    });
  }
  return { webtix };
}

async function postIncident(base: string, webtix: string) {
  return api(base, "POST", "/incidents", {
    name: incidentName,
    body: incidentBody,
    components: { [webtix]: "major_outage" },
  });
}

/**
 * Fan-out of one incident to `count` confirmed subscribers through a fake Resend on 127.0.0.1 in its own process
 * (bench/fake-resend-process.ts: at the lowest CPU priority unless it enforces a limit), while another process reads
 * `/` 100 times a second.
 */
async function fanOut(count: number, rate: number, fakeLimit: number | undefined, work: string) {
  const options = { requestsPerSecond: fakeLimit, keepBodies: false };
  const fake = await startFakeResendProcess(options, incidentName, fakeLimit === undefined ? 19 : 0);
  const dataDir = mkdtempSync(join(work, "notify-"));
  const marquee = await startMarquee(dataDir, {
    RESEND_API_KEY: "re_bench",
    RESEND_BASE_URL: fake.url,
    RESEND_RATE_LIMIT: String(rate),
  });
  const { webtix } = await importAudience(marquee.base, count);
  // Readers of `/`, at 100 requests per second: first with nothing else to do, then during the fan-out.
  const probe = probeLatency(`${marquee.base}/`);
  await probe.ready();
  await new Promise((r) => setTimeout(r, 2000));
  const idle = await probe.report();

  const load = loadavg()[0]!;
  const cpuBefore = cpuSecondsOf(marquee.child.pid!);
  // Readers are measured from the POST on: the write that queues the first recipients holds the server too.
  probe.restart();
  const started = performance.now();
  await postIncident(marquee.base, webtix);
  const answered = performance.now() - started;
  await waitFor(async () => (await fake.stats()).matching >= count, 600_000, 10);
  const seconds = (performance.now() - started) / 1000;
  const cpu = cpuSecondsOf(marquee.child.pid!) - cpuBefore;
  const during = await probe.stop();
  const memory = memoryOf(marquee.child.pid!);
  // A moment for anything extra to arrive: bystanders or a second email would show here.
  await new Promise((r) => setTimeout(r, 500));
  const stats = await fake.stats();
  await marquee.stop();
  await fake.close();
  return {
    seconds,
    answered,
    memory,
    calls: stats.calls,
    refused: stats.refused,
    delivered: stats.matching,
    bystanders: stats.bystanders,
    twice: stats.twice,
    idle,
    during,
    cpu,
    load,
  };
}

/** SIGKILL in the middle of the fan-out, restart, and count emails per subscriber. */
async function crash(count: number, work: string) {
  const fake = await startFakeResend({ delayMs: 100, keepBodies: false });
  const dataDir = mkdtempSync(join(work, "crash-"));
  const env = { RESEND_API_KEY: "re_bench", RESEND_BASE_URL: fake.url, RESEND_RATE_LIMIT: "50" };
  let marquee = await startMarquee(dataDir, env);
  const { webtix } = await importAudience(marquee.base, count);
  await postIncident(marquee.base, webtix);
  const mine = () => fake.accepted.filter((e) => e.subject.includes(incidentName));
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

const ms = (x: number) => `${x.toFixed(1)} ms`;
const latency = (l: LatencySummary) => `${ms(l.p50)} / ${ms(l.p99)}${l.failures ? `, ${l.failures} failed` : ""}`;

export async function notifyBenchmark(report: Report) {
  const work = mkdtempSync(join(tmpdir(), "marquee-notify-"));
  try {
    report("\n## Notifications: one incident about Webtix, with a Markdown body, through a fake Resend\n");
    report(
      "| recipients, setting | POST answered | last email accepted | / floor | Marquee CPU per chunk | Resend calls (429) | `/` p50 / p99 idle | `/` p50 / p99 during | p99 during / idle | server RSS at the end, peak | load average |",
    );
    report("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    const runs = [
      { count: 10_000, rate: 100, fake: undefined, label: "RESEND_RATE_LIMIT=100, fake answers at once (nice 19)" },
      { count: 100_000, rate: 100, fake: undefined, label: "RESEND_RATE_LIMIT=100, fake answers at once (nice 19)" },
      { count: 10_000, rate: 2, fake: 2, label: "default limit 2/s, fake enforcing 2/s" },
    ];
    for (const run of runs) {
      const r = await fanOut(run.count, run.rate, run.fake, work);
      const chunks = Math.ceil(run.count / 100);
      const floor = chunks / run.rate;
      if (r.delivered !== run.count || r.bystanders > 0 || r.twice > 0) {
        report(`(${run.count}: ${r.delivered} delivered, ${r.bystanders} to bystanders, ${r.twice} twice)`);
      }
      report(
        `| ${run.count.toLocaleString("en")}, ${run.label} | ${r.answered.toFixed(0)} ms | **${r.seconds.toFixed(1)} s** | ${(r.seconds / floor).toFixed(2)} × ${floor} s | ${((1000 * r.cpu) / chunks).toFixed(1)} ms | ${r.calls} (${r.refused}) | ${latency(r.idle)} | ${latency(r.during)} | ${(r.during.p99 / r.idle.p99).toFixed(1)} | ${r.memory.rss.toFixed(0)} MB, ${r.memory.peak.toFixed(0)} MB | ${r.load.toFixed(1)} |`,
      );
    }
    const c = await crash(10_000, work);
    report(
      `\nSIGKILL at ${c.atKill.toLocaleString("en")} of 10,000 accepted, then restart: ${c.recipients.toLocaleString("en")} subscribers with an email, ${c.twice} with two; ${c.replayed} chunk(s) sent again with the same idempotency key.`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
