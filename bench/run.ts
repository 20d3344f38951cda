import { execFileSync, spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { api, cpuTimeOf, freePort, median, memoryOf, percentile, startMarquee, waitFor, wrk } from "./lib";
import { heartbeatPingBenchmark } from "./heartbeat-ping";
import { monitorChecksBenchmark } from "./monitor-checks";
import { notifyBenchmark } from "./notify";
import { chatBenchmark } from "./chat";
import { chatCrashBenchmark } from "./chat-crash";
import { workerBenchmark } from "./worker";
import { monitorsBenchmark } from "./monitors";
import { type Density, seedHistory } from "./seed-history";

// `npm run bench`: the numbers docs/BENCHMARKS.md records. Needs wrk and nginx-light (Debian packages).
const only = process.argv[2];
const lines: string[] = [];
const report = (line: string) => (console.log(line), lines.push(line));
const work = mkdtempSync(join(tmpdir(), "marquee-bench-"));
// nginx's worker runs as nobody and must read the exported files.
chmodSync(work, 0o755);

async function seeded(count: number, name: string, density: Density = "sparse") {
  const dir = join(work, `${name}-${density}-${count}`);
  mkdirSync(dir, { recursive: true });
  await seedHistory(dir, count, Date.now(), density);
  return dir;
}

/** The compressed size of a published page as readers get it, in bytes. */
async function compressedSize(url: string, encoding: "gzip" | "br") {
  const res = await fetch(url, { headers: { "accept-encoding": encoding } });
  await res.arrayBuffer();
  return Number(res.headers.get("content-length"));
}

/** Readers: Marquee against nginx serving the same exported page, same machine, same wrk, same run. */
async function readBenchmark() {
  const dataDir = await seeded(1000, "read");
  const marquee = await startMarquee(dataDir);
  const exported = join(work, "export");
  execFileSync(process.execPath, ["dist/node/export.mjs", exported], {
    env: { ...process.env, DATA_DIR: dataDir },
    stdio: "ignore",
  });
  const nginxPort = await freePort();
  const conf = join(work, "nginx.conf");
  writeFileSync(
    conf,
    `worker_processes 1; daemon off; pid ${work}/nginx.pid; error_log ${work}/nginx-error.log;
events { worker_connections 1024; }
http { access_log off; sendfile on; tcp_nopush on; keepalive_requests 100000; gzip_static on;
  open_file_cache max=1000 inactive=60s; types { text/html html; image/svg+xml svg; text/javascript js; }
  server { listen 127.0.0.1:${nginxPort}; root ${exported}; index index.html; } }`,
  );
  const nginx = spawn("nginx", ["-c", conf, "-p", work], { stdio: "ignore" });
  await waitFor(async () => (await fetch(`http://127.0.0.1:${nginxPort}/`).catch(() => null))?.ok === true, 10_000);

  report(
    "\n## Read: `/`, `/badge.svg` and `/embed.js` with 1,000 incidents in the history (wrk -t2 -c64, 8 s per run)\n",
  );
  report("| request | nginx req/s | Marquee req/s | Marquee / nginx |\n|---|---:|---:|---:|");
  // The status badge and the embed script are read from READMEs and customers' sites everywhere: they are answered
  // from memory like the page.
  for (const path of ["/", "/badge.svg", "/embed.js"]) {
    for (const [label, headers] of [
      ["identity", []],
      ["gzip", ["Accept-Encoding: gzip"]],
    ] as const) {
      const n: number[] = [];
      const m: number[] = [];
      for (let round = 0; round < 2; round++) {
        n.push(wrk(`http://127.0.0.1:${nginxPort}${path}`, [...headers]));
        m.push(wrk(`${marquee.base}${path}`, [...headers]));
      }
      const [nr, mr] = [n.reduce((a, b) => a + b) / n.length, m.reduce((a, b) => a + b) / m.length];
      report(`| \`${path}\` ${label} | ${nr.toFixed(0)} | ${mr.toFixed(0)} | **${(mr / nr).toFixed(2)}** |`);
    }
  }
  nginx.kill("SIGTERM");
  await marquee.stop();
}

/** Staff writes and publishing: from the POST being answered to the change served at `/` and in summary.json. */
async function publishBenchmark() {
  const rounds = 25;
  const cases: [Density, number][] = [
    ["sparse", 100],
    ["sparse", 1000],
    ["sparse", 10000],
    ["dense", 1000],
    ["dense", 10000],
  ];
  // First starts, one at a time: each renders its whole history.
  const runs = [];
  for (const [density, count] of cases) {
    const dataDir = await seeded(count, "publish", density);
    const t0 = performance.now();
    const first = await startMarquee(dataDir);
    const fullRender = performance.now() - t0;
    const firstPeak = memoryOf(first.child.pid!).peak;
    await first.stop();
    runs.push({
      density,
      count,
      dataDir,
      fullRender,
      firstPeak,
      writes: [] as number[],
      publishes: [] as number[],
      cpu: 0,
    });
  }
  // Restarted servers, as they run day to day (the history already published), all at once: each round updates
  // every one in turn, so a machine whose load drifts during the run weighs on every history alike.
  const servers = [];
  for (const run of runs) {
    const marquee = await startMarquee(run.dataDir);
    const [tix1] = (await api(marquee.base, "GET", "/components")) as { id: string }[];
    const incident = await api(marquee.base, "POST", "/incidents", {
      name: "Bench",
      components: { [tix1!.id]: "partial_outage" },
    });
    servers.push({ run, marquee, incidentId: incident.id as string });
  }
  for (let i = 0; i < rounds; i++) {
    for (const { run, marquee, incidentId } of servers) {
      const marker = `bench-${run.density}-${run.count}-${i}`;
      const cpuBefore = cpuTimeOf(marquee.child.pid!);
      const start = performance.now();
      await api(marquee.base, "POST", `/incidents/${incidentId}/updates`, { status: "identified", body: marker });
      const answered = performance.now();
      run.writes.push(answered - start);
      await waitFor(
        async () => {
          const [page, summary] = await Promise.all(
            ["/", "/api/v2/summary.json"].map((p) => fetch(marquee.base + p).then((r) => r.text())),
          );
          return page!.includes(marker) && summary!.includes(marker);
        },
        10_000,
        2,
      );
      run.publishes.push(performance.now() - answered);
      run.cpu += cpuTimeOf(marquee.child.pid!) - cpuBefore;
    }
  }

  report(`\n## Write and publish, by history size and density (${rounds} updates each, interleaved)\n`);
  report(
    "| history | write answered, median (p95) | published, median (p95) | server CPU per write, mean | first start: full render, peak RSS | restarted: RSS after the run, peak | `/` gzip (br) |",
  );
  report("|---|---:|---:|---:|---:|---:|---:|");
  const results = new Map<string, { median: number; cpu: number; peak: number }>();
  for (const { run, marquee } of servers) {
    const { density, count, writes, publishes, cpu, fullRender, firstPeak } = run;
    const [gzip, br] = [
      await compressedSize(`${marquee.base}/`, "gzip"),
      await compressedSize(`${marquee.base}/`, "br"),
    ];
    wrk(`${marquee.base}/`, [], 3);
    const mem = memoryOf(marquee.child.pid!);
    results.set(`${density} ${count}`, {
      median: median(publishes),
      cpu: cpu / rounds,
      peak: Math.max(firstPeak, mem.peak),
    });
    report(
      `| ${count.toLocaleString("en")} ${density} | ${median(writes).toFixed(1)} ms (${percentile(writes, 0.95).toFixed(1)}) | ${median(publishes).toFixed(0)} ms (${percentile(publishes, 0.95).toFixed(0)}) | ${(cpu / rounds).toFixed(0)} ms | ${(fullRender / 1000).toFixed(1)} s, ${firstPeak.toFixed(0)} MB | ${mem.rss.toFixed(0)} MB, ${mem.peak.toFixed(0)} MB | ${(gzip / 1024).toFixed(1)} KB (${(br / 1024).toFixed(1)} KB) |`,
    );
    await marquee.stop();
  }
  const base = results.get("sparse 100")!;
  report("");
  for (const key of ["sparse 10000", "dense 10000"]) {
    const { median: m, cpu, peak } = results.get(key)!;
    report(
      `Publish cost with 10,000 ${key.split(" ")[0]} incidents / with 100: **${(m / base.median).toFixed(2)}** (median ${m.toFixed(0)} ms), server CPU per write **${(cpu / base.cpu).toFixed(2)}**; server peak RSS ${peak.toFixed(0)} MB, first start included`,
    );
  }
}

try {
  if (!only || only === "read") await readBenchmark();
  if (!only || only === "publish") await publishBenchmark();
  if (!only || only === "notify") await notifyBenchmark(report);
  if (!only || only === "chat") await chatBenchmark(report);
  if (only === "chat-crash") await chatCrashBenchmark(report);
  if (!only || only === "worker") await workerBenchmark(report);
  if (!only || only === "monitors") await monitorsBenchmark(report);
  if (!only || only === "heartbeat") await heartbeatPingBenchmark(report);
  if (!only || only === "checks") await monitorChecksBenchmark(report);
  mkdirSync("bench/results", { recursive: true });
  writeFileSync("bench/results/latest.md", lines.join("\n") + "\n");
} finally {
  rmSync(work, { recursive: true, force: true });
}
