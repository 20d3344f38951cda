import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFakeResend } from "@/test/support/fake-resend";
import { adminKey, api, cpuSecondsOf, waitFor } from "./lib";
const count = Number(process.argv[2] ?? 10000);
const fake = await startFakeResend({});
const dataDir = mkdtempSync(join(tmpdir(), "prof-"));
const port = 3999;
const start = JSON.parse(readFileSync("package.json", "utf8")).scripts.start as string;
const [, ...args] = start
  .split(/\s+/)
  .map((a) =>
    a.startsWith("--max-semi-space-size") && process.env.SEMI ? `--max-semi-space-size=${process.env.SEMI}` : a,
  );
const child = spawn(
  process.execPath,
  [...(process.env.TRACE_GC ? ["--trace-gc"] : ["--cpu-prof", "--cpu-prof-dir=/tmp/prof"]), ...args],
  {
    env: {
      ...process.env,
      PORT: String(port),
      DATA_DIR: dataDir,
      ADMIN_API_KEY: adminKey,
      RESEND_API_KEY: "re_x",
      RESEND_BASE_URL: fake.url,
      RESEND_RATE_LIMIT: "100",
    },
    stdio: ["ignore", process.env.TRACE_GC ? "inherit" : "ignore", "inherit"],
  },
);
const base = `http://127.0.0.1:${port}`;
await waitFor(async () => {
  try {
    return (await fetch(`${base}/healthz`)).ok;
  } catch {
    return false;
  }
}, 60000);
const components = (await api(base, "GET", "/components")) as { id: string; name: string }[];
const webtix = components.find((c) => c.name === "Webtix")!.id;
await api(base, "POST", "/subscribers/import", {
  subscribers: Array.from({ length: count }, (_, i) => ({ email: `c${i}@example.com` })),
  skip_confirmation: true,
});
const body = readFileSync("bench/notify.ts", "utf8").split("const incidentBody = `")[1]!.split("`;")[0];
const t0 = performance.now();
const c0 = cpuSecondsOf(child.pid!);
await api(base, "POST", "/incidents", { name: "Webtix down", body, components: { [webtix]: "major_outage" } });
await waitFor(async () => fake.accepted.length >= count, 600000, 10);
console.log(
  "fan-out",
  ((performance.now() - t0) / 1000).toFixed(1),
  "s; server CPU per chunk",
  ((1000 * (cpuSecondsOf(child.pid!) - c0)) / (count / 100)).toFixed(1),
  "ms",
);
child.kill("SIGTERM");
await new Promise((r) => child.once("exit", r));
await fake.close();
