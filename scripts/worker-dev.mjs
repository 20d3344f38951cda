// `npm run worker:dev`: the Workers build under `wrangler dev`, with a local D1 that has the migrations applied, on
// PORT (default 8787). No Cloudflare account and no network needed. The settings the Node server reads from the
// environment are passed to the worker as variables; cron ticks are simulated every minute.
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join, relative, resolve } from "node:path";

const port = Number(process.env.PORT || 8787);
const state = resolve(process.env.WORKER_STATE_DIR || "data/worker");
const wrangler = resolve("node_modules/.bin/wrangler");
// No network needed: no usage metrics, and no download of Cloudflare's Request.cf sample (a placeholder serves).
const quiet = { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" };

// Without ADMIN_API_KEY, a development key is made once and kept beside the local D1 (under data/, which git ignores),
// so the key printed yesterday still works today.
let adminKey = process.env.ADMIN_API_KEY;
if (!adminKey) {
  const keyFile = join(state, "admin-api-key");
  if (existsSync(keyFile)) adminKey = readFileSync(keyFile, "utf8").trim();
  if (!adminKey) {
    adminKey = `mq_${randomBytes(24).toString("base64url")}`;
    mkdirSync(state, { recursive: true, mode: 0o700 });
    writeFileSync(keyFile, `${adminKey}\n`, { mode: 0o600 });
  }
  console.log(
    `\n  Development admin key (kept in ${relative(".", keyFile)}; ADMIN_API_KEY overrides it):\n\n    ${adminKey}\n`,
  );
}

const migrate = spawnSync(wrangler, ["d1", "migrations", "apply", "DB", "--local", "--persist-to", state], {
  env: { ...quiet, CI: "1" },
  stdio: ["ignore", "pipe", "inherit"],
  encoding: "utf8",
});
if (migrate.status !== 0) {
  console.error(migrate.stdout);
  console.error("Applying the migrations to the local D1 failed (see above).");
  process.exit(1);
}

const vars = {
  ADMIN_API_KEY: adminKey,
  SITE_URL: process.env.SITE_URL,
  RESEND_API_KEY: process.env.RESEND_API_KEY,
  RESEND_BASE_URL: process.env.RESEND_BASE_URL,
  RESEND_RATE_LIMIT: process.env.RESEND_RATE_LIMIT,
  RESEND_WEBHOOK_SECRET: process.env.RESEND_WEBHOOK_SECRET,
  EMAIL_FROM: process.env.EMAIL_FROM,
  D1_QUERY_LOG: process.env.D1_QUERY_LOG,
  ALLOW_PRIVATE_WEBHOOKS: process.env.ALLOW_PRIVATE_WEBHOOKS,
  // Without a Resend key, emails are printed here instead of sent.
  EMAIL_TRANSPORT: process.env.RESEND_API_KEY ? undefined : "log",
};
const varArgs = Object.entries(vars).flatMap(([name, value]) => (value ? ["--var", `${name}:${value}`] : []));
// A free port for the devtools inspector, so two of these can run side by side (9229 is wrangler's default).
const inspectorPort = await new Promise((ok) => {
  const probe = createServer().listen(0, "127.0.0.1", () => {
    const { port } = probe.address();
    probe.close(() => ok(port));
  });
});
const child = spawn(
  wrangler,
  [
    "dev",
    ...["--port", String(port), "--ip", "127.0.0.1", "--inspector-port", String(inspectorPort)],
    ...["--persist-to", state, "--test-scheduled", ...varArgs],
    // WRANGLER_LOG_LEVEL=log drops the line per request (the benchmark does), keeping the worker's own output.
    ...(process.env.WRANGLER_LOG_LEVEL ? ["--log-level", process.env.WRANGLER_LOG_LEVEL] : []),
  ],
  { env: quiet, stdio: ["ignore", "inherit", "inherit"] },
);

// Cron Triggers do not fire under `wrangler dev`; --test-scheduled lets this script fire them.
const cron = setInterval(() => {
  fetch(`http://127.0.0.1:${port}/__scheduled?cron=*+*+*+*+*`).catch(() => {});
}, 60_000);

for (const signal of ["SIGINT", "SIGTERM"]) process.once(signal, () => child.kill(signal));
child.once("exit", (code, signal) => {
  clearInterval(cron);
  process.exit(code ?? (signal ? 0 : 1));
});
