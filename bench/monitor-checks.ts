import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { get } from "node:http";
import { get as httpsGet, type RequestOptions } from "node:https";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { createSecureContext } from "node:tls";
import type { HttpCheck } from "@/api/monitors/check-types";
import { runCheck } from "@/api/monitors/node-checks";

type Report = (line: string) => void;

const checks = 5_000;
const concurrency = 20;
const rounds = 3;

/** The targets run in their own process, so this process's CPU time is the checks' alone. */
async function startTargets(dir: string) {
  execFileSync(
    "openssl",
    [
      ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2"],
      ...["-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"), "-subj", "/CN=127.0.0.1"],
      ...["-addext", "subjectAltName=IP:127.0.0.1"],
    ],
    { stdio: "ignore" },
  );
  const script = `
    const fs = require("node:fs");
    const answer = (req, res) => res.end("<p>all systems ok</p>");
    const tls = { key: fs.readFileSync(${JSON.stringify(join(dir, "key.pem"))}), cert: fs.readFileSync(${JSON.stringify(join(dir, "cert.pem"))}) };
    const a = require("node:http").createServer(answer);
    const b = require("node:https").createServer(tls, answer);
    for (const s of [a, b]) s.keepAliveTimeout = 0;
    a.listen(0, "127.0.0.1", () => b.listen(0, "127.0.0.1", () => console.log(a.address().port, b.address().port)));`;
  const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
  const [http, https] = await new Promise<number[]>((ok) =>
    child.stdout!.once("data", (d) => ok(String(d).trim().split(" ").map(Number))),
  );
  return {
    http: `http://127.0.0.1:${http}/health`,
    https: `https://127.0.0.1:${https}/health`,
    ca: readFileSync(join(dir, "cert.pem"), "utf8"),
    stop: () => child.kill("SIGTERM"),
  };
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

/** The least a check can cost on Node: a bare http(s).get on a fresh connection, body drained. */
function bareGet(url: string, ca?: string) {
  // One TLS context for every request, as the checks keep theirs.
  const secureContext = ca === undefined ? undefined : createSecureContext({ ca });
  const client = url.startsWith("https:") ? httpsGet : get;
  // `secureContext` reaches tls.connect, though https.RequestOptions does not list it.
  const options = { agent: false, secureContext, headers: { connection: "close" } } as RequestOptions;
  return () =>
    new Promise<void>((ok, fail) => client(url, options, (res) => (res.resume(), res.on("end", ok))).on("error", fail));
}

/** What the same check would cost with fetch (undici), also on a fresh connection. */
const fetchGet = (url: string) => async () => {
  const res = await fetch(url, { headers: { connection: "close" }, signal: AbortSignal.timeout(10_000) });
  await res.arrayBuffer();
};

export async function monitorChecksBenchmark(report: Report) {
  const dir = mkdtempSync(join(tmpdir(), "marquee-bench-checks-"));
  const target = await startTargets(dir);
  const check: HttpCheck = {
    type: "http",
    url: target.http,
    method: "GET",
    headers: {},
    expectedStatus: "200-399",
    followRedirects: true,
    timeoutMs: 10_000,
  };
  const cases: [string, () => Promise<unknown>][] = [
    ["bare `http.get` (reference)", bareGet(target.http)],
    ["`fetch`, body read", fetchGet(target.http)],
    ["Marquee HTTP check", () => runCheck(check)],
    ["Marquee HTTP check with a keyword", () => runCheck({ ...check, keyword: "systems ok" })],
    ["bare `https.get`, TLS handshake (P-256)", bareGet(target.https, target.ca)],
    ["Marquee HTTPS check", () => runCheck({ ...check, url: target.https, ca: target.ca })],
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
  rmSync(dir, { recursive: true, force: true });

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
