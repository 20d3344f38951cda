import { spawn } from "node:child_process";
import { get } from "node:http";
import { loadavg } from "node:os";
import type { HttpCheck } from "@/api/monitors/check-types";
import { runCheck } from "@/api/monitors/node-checks";

type Report = (line: string) => void;

const checks = 5_000;
const concurrency = 20;
const rounds = 3;

/** The target runs in its own process, so this process's CPU time is the checks' alone. */
async function startTarget() {
  const script = `
    const s = require("node:http").createServer((req, res) => res.end("<p>all systems ok</p>"));
    s.keepAliveTimeout = 0;
    s.listen(0, "127.0.0.1", () => console.log(s.address().port));`;
  const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  const port = await new Promise<number>((ok) => child.stdout!.once("data", (d) => ok(Number(String(d)))));
  return { url: `http://127.0.0.1:${port}/health`, stop: () => child.kill("SIGTERM") };
}

/** CPU time (user + system) of this process per call of `one`, over `checks` calls at `concurrency`, in ms. */
async function cpuPerCall(one: () => Promise<unknown>) {
  let started = 0;
  const worker = async () => {
    while (started < checks) (started++, await one());
  };
  const before = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wall = performance.now() - t0;
  const used = process.cpuUsage(before);
  return { cpu: (used.user + used.system) / 1000 / checks, wall };
}

/** The least a check can cost on Node: a bare http.get on a fresh connection, body drained. */
const bareGet = (url: string) => () =>
  new Promise<void>((ok, fail) =>
    get(url, { agent: false, headers: { connection: "close" } }, (res) => (res.resume(), res.on("end", ok))).on(
      "error",
      fail,
    ),
  );

/** What the same check would cost with fetch (undici), also on a fresh connection. */
const fetchGet = (url: string) => async () => {
  const res = await fetch(url, { headers: { connection: "close" }, signal: AbortSignal.timeout(10_000) });
  await res.arrayBuffer();
};

export async function monitorChecksBenchmark(report: Report) {
  const target = await startTarget();
  const check: HttpCheck = {
    type: "http",
    url: target.url,
    method: "GET",
    headers: {},
    expectedStatus: "200-399",
    followRedirects: true,
    timeoutMs: 10_000,
  };
  const cases: [string, () => Promise<unknown>][] = [
    ["bare `http.get` (reference)", bareGet(target.url)],
    ["`fetch`, body read", fetchGet(target.url)],
    ["Marquee HTTP check", () => runCheck(check)],
    ["Marquee HTTP check with a keyword", () => runCheck({ ...check, keyword: "systems ok" })],
  ];
  // Warm up every path, then interleave the rounds so that load from elsewhere weighs on each alike.
  for (const [, one] of cases) for (let i = 0; i < 500; i++) await one();
  const results = new Map<string, { cpu: number[]; wall: number[] }>(
    cases.map(([name]) => [name, { cpu: [], wall: [] }]),
  );
  for (let round = 0; round < rounds; round++) {
    for (const [name, one] of cases) {
      const { cpu, wall } = await cpuPerCall(one);
      results.get(name)!.cpu.push(cpu);
      results.get(name)!.wall.push(wall);
    }
  }
  target.stop();

  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const reference = mean(results.get(cases[0]![0])!.cpu);
  report(
    `\n## Monitor checks: CPU per HTTP check (${checks.toLocaleString("en")} checks at concurrency ${concurrency}, ${rounds} interleaved rounds, load average ${loadavg()[0]!.toFixed(1)})\n`,
  );
  report("| client | CPU per check | / bare `http.get` | 500 monitors every 30 s, share of one core |");
  report("|---|---:|---:|---:|");
  for (const [name] of cases) {
    const cpu = mean(results.get(name)!.cpu);
    report(
      `| ${name} | ${cpu.toFixed(3)} ms | **${(cpu / reference).toFixed(2)}** | ${((cpu * 500) / 30 / 10).toFixed(2)} % |`,
    );
  }
}
