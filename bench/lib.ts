import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";

export const adminKey = "bench-admin-key-0123456789-vq7w2kx9";

import type { FakeResendOptions } from "@/test/support/fake-resend";
import { freePort, npmStartCommand } from "@/test/support/server";
import type { FakeStats } from "./fake-resend-process";

export { freePort };

export type Running = { base: string; child: ChildProcess; stop(): Promise<void> };

/** Starts the bundled server (what `npm start` runs) on a free port over a data directory. */
export async function startMarquee(dataDir: string, env: Record<string, string> = {}): Promise<Running> {
  const port = await freePort();
  // Exactly what `npm start` runs, flags and environment included.
  const start = npmStartCommand();
  const child = spawn(process.execPath, start.args, {
    env: { ...process.env, ...start.env, PORT: String(port), DATA_DIR: dataDir, ADMIN_API_KEY: adminKey, ...env },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const base = `http://127.0.0.1:${port}`;
  await waitFor(async () => {
    const h = await health(base);
    return h?.published_at != null && !h.rendering_history;
  }, 300_000);
  return {
    base,
    child,
    stop: () => new Promise((ok) => (child.once("exit", () => ok()), child.kill("SIGTERM"))),
  };
}

async function health(base: string) {
  try {
    return (await (await fetch(`${base}/healthz`)).json()) as {
      published_at: string | null;
      rendering_history: boolean;
    };
  } catch {
    return undefined;
  }
}

export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, everyMs = 50) {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Resident memory of a process now and at its peak, in MB. */
export function memoryOf(pid: number) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(status.match(new RegExp(`${field}:\\s+(\\d+)`))![1]);
  return { rss: kb("VmRSS") / 1024, peak: kb("VmHWM") / 1024 };
}

/** CPU time a process has used so far (user + system), in ms; the kernel counts it in ticks of 10 ms. */
export function cpuTimeOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** CPU time a process has used so far (user and system), in seconds. */
export function cpuSecondsOf(pid: number) {
  return cpuTimeOf(pid) / 1000;
}

/** Requests per second that wrk measures against a URL. */
export function wrk(url: string, headers: string[] = [], seconds = 8): number {
  const args = ["-t2", "-c64", `-d${seconds}s`, ...headers.flatMap((h) => ["-H", h]), url];
  const out = execFileSync("wrk", args, { encoding: "utf8" });
  return Number(out.match(/Requests\/sec:\s+([\d.]+)/)![1]);
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
export const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

export async function api(base: string, method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

export type LatencySummary = { count: number; failures: number; p50: number; p99: number; max: number };

/**
 * Starts asking for `url` every `everyMs` from another process. `report` gives the latencies' percentiles so far and
 * starts counting again; `stop` gives them and ends the probe.
 */
export function probeLatency(url: string, everyMs = 10) {
  const child = spawn(process.execPath, ["--import", "tsx", "bench/latency-probe.ts", url, String(everyMs)], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  const exited = new Promise<void>((ok) => child.once("exit", () => ok()));
  const lines = () => out.split("\n").filter((line) => line.startsWith("{"));
  const next = async (signal: NodeJS.Signals) => {
    const seen = lines().length;
    child.kill(signal);
    await waitFor(async () => lines().length > seen, 30_000, 5);
    return JSON.parse(lines()[seen]!) as LatencySummary;
  };
  return {
    /** Resolves once the probe is warmed up and asking. */
    ready: () => waitFor(async () => out.startsWith("ready"), 30_000, 10),
    /** Counts only the requests started from now on. */
    restart: () => child.kill("SIGUSR1"),
    /** The percentiles since the start or the last restart; counting starts again. */
    report: () => next("SIGUSR2"),
    async stop(): Promise<LatencySummary> {
      const summary = await next("SIGTERM");
      await exited;
      return summary;
    },
  };
}

/** A fake Resend in its own process, at the given nice value (bench/fake-resend-process.ts). */
export async function startFakeResendProcess(options: FakeResendOptions, subjectPart: string, nice: number) {
  const child = spawn(
    process.execPath,
    ["--import", "tsx", "bench/fake-resend-process.ts", JSON.stringify(options), subjectPart, String(nice)],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  let out = "";
  child.stdout!.on("data", (d) => (out += d));
  await waitFor(async () => out.includes("\n"), 30_000, 10);
  const [url, control] = out.trim().split(" ") as [string, string];
  return {
    url,
    stats: async () => (await (await fetch(`${control}/stats`)).json()) as FakeStats,
    close: () => new Promise<void>((ok) => (child.once("exit", () => ok()), child.kill())),
  };
}
