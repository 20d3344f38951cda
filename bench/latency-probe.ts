// Asks for a URL every few milliseconds, in its own process, until SIGTERM; then prints the latencies' percentiles as
// JSON. It asks the way a browser does (keep-alive connections, `accept-encoding: br, gzip`) and times the answer to
// its last byte without decompressing it: decompression is the reader's work, and on the benchmark's two cores a
// heavier client would take CPU from the server it measures. It says "ready" once warmed up (connections open, its
// own code compiled), so its first slow requests are not counted as the server's. SIGUSR1 forgets the requests
// started so far; SIGUSR2 prints the percentiles so far, then forgets them.
// `tsx bench/latency-probe.ts <url> [every ms]`
import { Agent, get } from "node:http";

const [url, every = "10"] = process.argv.slice(2);
const warmUp = 50;
const agent = new Agent({ keepAlive: true, maxSockets: 64 });
let latencies: number[] = [];
let failures = 0;
let since = 0;
let answered = 0;

function probe() {
  const start = performance.now();
  const done = (ok: boolean) => {
    if (++answered === warmUp) {
      since = performance.now();
      process.stdout.write("ready\n");
    }
    if (answered <= warmUp || start < since) return;
    latencies.push(performance.now() - start);
    if (!ok) failures++;
  };
  get(url!, { agent, headers: { "accept-encoding": "br, gzip" } }, (res) => {
    res.on("data", () => {});
    res.on("end", () => done(res.statusCode === 200));
    res.on("error", () => done(false));
  }).on("error", () => done(false));
}

function summary() {
  const sorted = latencies.sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
  return JSON.stringify({ count: sorted.length, failures, p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? NaN });
}

function forget() {
  since = performance.now();
  latencies = [];
  failures = 0;
}

const timer = setInterval(probe, Number(every));
process.on("SIGUSR1", forget);
process.on("SIGUSR2", () => {
  process.stdout.write(`${summary()}\n`);
  forget();
});
process.once("SIGTERM", () => {
  clearInterval(timer);
  process.stdout.write(`${summary()}\n`);
  process.exit(0);
});
