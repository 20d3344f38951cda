// Asks for a URL every few milliseconds, in its own process so that the benchmark's fake Resend does not delay it,
// until SIGTERM; then prints the latencies' percentiles as JSON. SIGUSR1 forgets the requests started so far.
// `tsx bench/latency-probe.ts <url> [every ms]`
const [url, every = "10"] = process.argv.slice(2);
let latencies: number[] = [];
let failures = 0;
let since = 0;

async function probe() {
  const start = performance.now();
  let ok = false;
  try {
    const res = await fetch(url!);
    await res.arrayBuffer();
    ok = res.ok;
  } catch {
    // counted below
  }
  if (start < since) return;
  latencies.push(performance.now() - start);
  if (!ok) failures++;
}

const timer = setInterval(() => void probe(), Number(every));
process.stdout.write("ready\n");
process.on("SIGUSR1", () => {
  since = performance.now();
  latencies = [];
  failures = 0;
});
process.once("SIGTERM", () => {
  clearInterval(timer);
  const sorted = latencies.sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
  process.stdout.write(
    "\n" + JSON.stringify({ count: sorted.length, failures, p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? NaN }),
  );
  process.exit(0);
});
