import { getRequestListener } from "@hono/node-server";
import type { IncomingMessage, RequestListener, Server, ServerResponse } from "node:http";
import { spawn } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { openNodeDb } from "@/db/node";
import { createApp } from "./app";
import type { Config } from "./config";
import { securePrivateDataDir } from "./data-dir";
import { FileStore } from "./publish/file-store";
import { zlibCompressor } from "./publish/zlib-compressor";
import { type Change, createPublisher, type Renderer } from "./publish/publisher";
import { createMirror } from "./publish/mirror";
import { answerFromPage, publishedPath } from "./publish/serve";
import { headerPolicy } from "./security-headers";
import { createFirstAdminKey, seedDefaultPage } from "./services/seed";
import { ensureConfiguredAdminKey, retireConfiguredAdminKey } from "./services/api-keys";
import { syncStaffEmails } from "./services/staff-destinations";
import type { Deps } from "./services/deps";
import { applyEffects } from "./services/effects";
import { startTicker } from "./ticker";
import { warmMarkdown } from "@/present/markdown";
import { startMonitors } from "./monitors/node-loop";
import { runCheck } from "./monitors/node-checks";
import { createBackupScheduler } from "./backup/schedule";
import { serverPidFile } from "./backup/server-lock";
import { chooseTransport } from "./notify/choose-transport";
import { createNotifier } from "./notify/notifier";
import { createLimitedServer, defaultHttpLimits, type HttpLimits } from "./node-http-server";
import { defaultSubscribeLimits } from "./services/subscriptions";
import { createNodeOutbound } from "./outbound/node-outbound";
import { followLocalPort } from "./services/page-settings";
import { answerStarting, listenFirst } from "./listen-first";
import { createMetrics } from "./metrics/metrics";
import { collectors } from "./metrics/collectors";
import { countingTransport } from "./metrics/counting-transport";

const rendererEntry = resolve("dist/server/entry.mjs");

export async function loadRenderer(): Promise<Renderer> {
  if (!existsSync(rendererEntry)) {
    throw new Error(`The page renderer is not built (${rendererEntry} is missing): run \`npm run build\` first`);
  }
  return (await import(pathToFileURL(rendererEntry).href)) as Renderer;
}

/** Identifies the renderer build (written by `npm run build`): pages published by another build are rendered again. */
export function rendererVersion(): string {
  return (JSON.parse(readFileSync(resolve("dist/renderer-version.json"), "utf8")) as { version: string }).version;
}

/**
 * Opens the database, seeds it on first start, and makes sure there is a way in for the operator. `port` is the port
 * the server listens on: without SITE_URL, the page's address follows it.
 */
export async function openNodeDeps(config: Config, log: (m: string) => void, port = config.port) {
  securePrivateDataDir(config.dataDir, log);
  const { db, close } = openNodeDb(join(config.dataDir, "marquee.db"));
  const outbound = createNodeOutbound({ allowPrivate: config.allowPrivateWebhooks });
  const deps: Deps = { db, clock: Date.now, siteUrl: config.siteUrl, outbound };
  if (config.allowPrivateWebhooks)
    log("ALLOW_PRIVATE_WEBHOOKS is on: webhooks may reach private and loopback addresses");
  const publicUrl = config.siteUrl ?? `http://localhost:${port}`;
  if (await seedDefaultPage(deps, publicUrl)) log("Created the default page (Ticketing, tix1–tix5, Webtix, Wintix)");
  else if (!config.siteUrl && (await followLocalPort(deps, publicUrl))) log(`The page's address is now ${publicUrl}`);
  if (config.adminApiKey) {
    await ensureConfiguredAdminKey(deps, config.adminApiKey);
  } else {
    if (await retireConfiguredAdminKey(deps)) log("ADMIN_API_KEY is no longer set: the key it made is now revoked");
    const key = await createFirstAdminKey(deps);
    if (key) log(`\n  Admin API key (shown once, keep it safe):\n\n    ${key}\n`);
  }
  await syncStaffEmails(deps, config.staffEmails);
  return { deps, close };
}

/**
 * Starts the whole Node server: API, publisher, ticker. Resolves once it listens. `http` overrides the server's
 * timeouts (tests use short ones); the per-client connection cap comes from the configuration.
 */
export async function startNodeServer(
  config: Config,
  log: (m: string) => void = console.log,
  options: { http?: Partial<HttpLimits> } = {},
) {
  // The port first: a busy one stops the start before anything is created.
  const limits = { ...defaultHttpLimits, maxConnectionsPerClient: config.maxConnectionsPerClient, ...options.http };
  let listener: RequestListener = answerStarting;
  const server: Server = createLimitedServer((req, res) => listener(req, res), limits);
  const port = await listenFirst(server, config.port);
  let opened: Awaited<ReturnType<typeof openNodeDeps>>;
  let renderer: Renderer;
  let version: string;
  try {
    // An unbuilt renderer stops the start before the database is created, too.
    renderer = await loadRenderer();
    version = rendererVersion();
    opened = await openNodeDeps(config, log, port);
  } catch (error) {
    server.close();
    throw error;
  }
  const { deps, close: closeDb } = opened;
  const store = new FileStore(join(config.dataDir, "site"));
  const stopping = new AbortController();
  const metrics = createMetrics(deps, { collectors, processMetrics: true });
  const publisher = createPublisher({
    ...deps,
    renderer,
    rendererVersion: version,
    renderHistory: () => renderHistoryInChildProcess(config, store.root, stopping.signal, log),
    store,
    compress: zlibCompressor,
    log: (m) => (m.startsWith("publish failed") ? console.error(m) : undefined),
    onPublished: metrics.onPublished,
  });
  // The mirror renders its own copy from the same changes, beside the server's publisher and never in its way.
  const mirror = config.mirror
    ? createMirror({
        ...deps,
        renderer: await loadRenderer(),
        rendererVersion: rendererVersion(),
        compress: zlibCompressor,
        stageDir: join(config.dataDir, "mirror-render"),
        dir: config.mirror.dir,
        recordFile: join(config.dataDir, "mirror-files.json"),
        dataDir: config.dataDir,
        command: config.mirror.command,
        keepOut: [store.root],
        log: (m) => (m.startsWith("publish failed") || m.startsWith("mirror") ? console.error(m) : undefined),
      })
    : undefined;
  const published = mirror
    ? { ...publisher, touch: (change: Change) => (publisher.touch(change), mirror.touch(change)) }
    : publisher;
  const transport = countingTransport(await chooseTransport(config, log), metrics);
  const notifier = createNotifier({
    ...deps,
    transport,
    emailFrom: config.emailFrom,
    log: console.error,
    onWebhookAttempt: metrics.onWebhookAttempt,
    chat: { concurrency: config.chatConcurrency, resumeAtStart: true, wakeWhenDue: true },
    pagesPublished: publisher.settled,
  });
  const app = createApp({
    ...deps,
    publisher: published,
    mirror,
    store,
    renderer,
    notifier,
    resendWebhookSecret: config.resend.webhookSecret,
    log: console.error,
    trustProxy: config.trustProxy,
    subscribeLimits: { ...defaultSubscribeLimits, perPage: config.confirmationEmailsPerHour },
    backupIntervalMs: config.backup.intervalMs,
    metrics,
    metricsToken: config.metricsToken,
    alertSeverityStatuses: config.alertSeverityStatuses,
  });
  const honoListener = getRequestListener(app.fetch);
  const policy = headerPolicy(renderer.inlineSources, config.siteUrl);

  // Readers' fast path: a published page is written straight from memory, without building a Request.
  listener = (req: IncomingMessage, res: ServerResponse) => {
    if ((req.method === "GET" || req.method === "HEAD") && req.url && !req.url.startsWith("/api/v1")) {
      const q = req.url.indexOf("?");
      const path = q === -1 ? req.url : req.url.slice(0, q);
      const page = store.get(publishedPath(path));
      if (page) {
        const answer = answerFromPage(
          page,
          req.method,
          {
            ifNoneMatch: req.headers["if-none-match"] ?? null,
            acceptEncoding: (req.headers["accept-encoding"] as string | undefined) ?? null,
          },
          policy,
        );
        res.writeHead(answer.status, answer.headers);
        res.end(answer.body);
        metrics.countRequest(req.method, path, answer.status);
        return;
      }
    }
    void honoListener(req, res);
  };

  warmMarkdown();
  // Pages from the last run are served from disk at once; the fresh ones replace them as they are rendered. Whatever
  // a crash left in the outbox goes out now, with the same idempotency keys.
  applyEffects({ publisher: published, notifier }, { publish: { resume: true }, wake: true });
  const ticker = startTicker(deps, { publisher: published, notifier }, log);
  const stopMonitors = startMonitors({
    ...deps,
    target: { publisher: published, notifier },
    runCheck,
    // A monitor changing state is news, not an error.
    log: console.log,
  });
  const pidFile = serverPidFile(config.dataDir);
  writeFileSync(pidFile, `${process.pid}\n`);
  const backups = createBackupScheduler(deps, join(config.dataDir, "marquee.db"), config.backup, notifier, log);
  const stopBackups = backups.start();

  return {
    port,
    deps,
    publisher,
    mirror,
    store,
    backups,
    metrics,
    async close() {
      clearInterval(ticker);
      await stopMonitors();
      stopBackups();
      await backups.idle();
      rmSync(pidFile, { force: true });
      stopping.abort();
      await new Promise<void>((ok) => server.close(() => ok()));
      server.closeAllConnections?.();
      await publisher.idle();
      await mirror?.stop();
      await notifier.stop();
      closeDb();
    },
  };
}

const exportEntry = resolve("dist/node/export.mjs");

/**
 * A whole history (after an upgrade, or on the first start with an imported one) is rendered by the export in a
 * child process writing into the live published set: thousands of pages in a row would otherwise leave the server
 * holding their memory. Run from source (tests), there is no bundle and the publisher renders in process.
 */
async function renderHistoryInChildProcess(
  config: Config,
  siteDir: string,
  signal: AbortSignal,
  log: (m: string) => void,
): Promise<void> {
  if (!existsSync(exportEntry)) throw new Error(`${exportEntry} is missing: run \`npm run build\``);
  log("Rendering the whole history in a child process…");
  await new Promise<void>((ok, fail) => {
    const child = spawn(process.execPath, [exportEntry, "--live", siteDir], {
      env: { ...process.env, DATA_DIR: config.dataDir },
      stdio: ["ignore", "ignore", "inherit"],
      signal,
      killSignal: "SIGKILL",
    });
    // Stopped with the server: settle neither way, so no marker claims the history was published; the next start
    // renders it again.
    child.once("error", (error) => signal.aborted || fail(error));
    child.once("exit", (code) => {
      if (signal.aborted) return;
      if (code === 0) ok();
      else fail(new Error(`rendering the history exited with ${code}`));
    });
  });
}
