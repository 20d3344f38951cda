import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { api, cpuTimeOf, freePort, probeLatency, startMarquee, waitFor } from "./lib";

const monitorCount = 500;
const intervalSeconds = 30;
const windowMs = 60_000;

/** A target in its own process, so its work is not counted as the server's: answers 200 "ok" to everything. */
function startTarget(port: number): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      "-e",
      `require("node:http").createServer((q, s) => s.end("ok")).listen(${port}, "127.0.0.1", () => console.log("up"))`,
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  return new Promise((ok) => child.stdout!.once("data", () => ok(child)));
}

const stopTarget = (child: ChildProcess) => new Promise<void>((ok) => (child.once("exit", () => ok()), child.kill()));

/** The server's CPU over a window, as a share of one core, and `/`'s latency from another process meanwhile. */
async function measure(base: string, pid: number) {
  const probe = probeLatency(`${base}/`, 20);
  await probe.ready();
  const cpu0 = cpuTimeOf(pid);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, windowMs));
  const cpu = (cpuTimeOf(pid) - cpu0) / (performance.now() - t0);
  return { cpu, latency: await probe.stop() };
}

/**
 * Issue 12's targets: 500 HTTP monitors every 30 s against a local target cost the server at most 5% of one core
 * and leave `/`'s p99 as it is without monitors (same server, same run); a target that stops answering shows as down
 * in summary.json within interval × failure_threshold + 2 s, and recovers likewise.
 */
export async function monitorsBenchmark(report: (line: string) => void) {
  const dataDir = mkdtempSync(join(tmpdir(), "marquee-bench-monitors-"));
  const marquee = await startMarquee(dataDir);
  const pid = marquee.child.pid!;
  const targetPort = await freePort();
  const target = await startTarget(targetPort);
  try {
    // Reference: the same server, settled, without monitors.
    await new Promise((r) => setTimeout(r, 5_000));
    const idle = await measure(marquee.base, pid);

    for (let i = 0; i < monitorCount; i += 50) {
      await Promise.all(
        Array.from({ length: Math.min(50, monitorCount - i) }, (_, j) =>
          api(marquee.base, "POST", "/monitors", {
            name: `target ${i + j}`,
            type: "http",
            url: `http://127.0.0.1:${targetPort}/health/${i + j}`,
            interval_seconds: intervalSeconds,
            timeout_ms: 5_000,
          }),
        ),
      );
    }
    // Every monitor has had its first check and runs at its own pace.
    await waitFor(
      async () => {
        const all = (await api(marquee.base, "GET", "/monitors")) as { state: string }[];
        return all.every((m) => m.state === "up");
      },
      120_000,
      1000,
    );
    const busy = await measure(marquee.base, pid);

    report(`\n## Monitors: ${monitorCount} HTTP monitors every ${intervalSeconds} s against a local target\n`);
    report("Server CPU (share of one core) and `/` latency probed from another process every 20 ms, over 60 s each.\n");
    report("| | server CPU | `/` p50 | `/` p99 | requests |\n|---|---:|---:|---:|---:|");
    for (const [label, m] of [
      ["no monitors (reference)", idle],
      [`${monitorCount} monitors`, busy],
    ] as const) {
      report(
        `| ${label} | ${(m.cpu * 100).toFixed(2)}% | ${m.latency.p50.toFixed(2)} ms | ${m.latency.p99.toFixed(2)} ms | ${m.latency.count} |`,
      );
    }
    report(
      `\nMonitors' CPU: **${((busy.cpu - idle.cpu) * 100).toFixed(2)}% of one core** (target ≤ 5%); \`/\` p99 with monitors / without: **${(busy.latency.p99 / idle.latency.p99).toFixed(2)}**`,
    );

    // Detection: a second target, stopped and started again, watched through summary.json.
    const downPort = await freePort();
    let watched = await startTarget(downPort);
    const components = (await api(marquee.base, "GET", "/components")) as { id: string; name: string }[];
    const tix1 = components.find((c) => c.name === "tix1")!.id;
    const monitor = (await api(marquee.base, "POST", "/monitors", {
      name: "tix1",
      type: "http",
      url: `http://127.0.0.1:${downPort}/`,
      interval_seconds: 5,
      timeout_ms: 2_000,
      failure_threshold: 2,
      success_threshold: 2,
      component_id: tix1,
    })) as { id: string };
    const status = async () => {
      const summary = (await (await fetch(`${marquee.base}/api/v2/summary.json`)).json()) as {
        components: { id: string; status: string }[];
      };
      return summary.components.find((c) => c.id === tix1)!.status;
    };
    await waitFor(async () => (await api(marquee.base, "GET", `/monitors/${monitor.id}`)).state === "up", 60_000);
    const bound = 5 * 2 + 2;
    const detections: number[] = [];
    const recoveries: number[] = [];
    for (let round = 0; round < 3; round++) {
      let t0 = performance.now();
      await stopTarget(watched);
      await waitFor(async () => (await status()) === "major_outage", 60_000, 50);
      detections.push((performance.now() - t0) / 1000);
      t0 = performance.now();
      watched = await startTarget(downPort);
      await waitFor(async () => (await status()) === "operational", 60_000, 50);
      recoveries.push((performance.now() - t0) / 1000);
    }
    await stopTarget(watched);
    report(
      `\nDetection (interval 5 s, failure and success threshold 2, bound ${bound} s): down shown after ${detections.map((d) => d.toFixed(1)).join(", ")} s; recovery after ${recoveries.map((d) => d.toFixed(1)).join(", ")} s (3 rounds, amid the ${monitorCount} monitors)`,
    );
  } finally {
    await stopTarget(target);
    await marquee.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
