import { drizzle } from "drizzle-orm/d1";
import { createApp } from "@/api/app";
import type { Db } from "@/db/client";
import * as schema from "@/db/schema";
import { createLogTransport } from "@/api/notify/log-transport";
import { createNotifier } from "@/api/notify/notifier";
import { createResendTransport } from "@/api/notify/resend-transport";
import { createFetchOutbound } from "@/api/outbound/outbound";
import { createPublisher, type Renderer } from "@/api/publish/publisher";
import { zlibCompressor } from "@/api/publish/zlib-compressor";
import { ensureConfiguredAdminKey } from "@/api/services/api-keys";
import type { Deps } from "@/api/services/deps";
import { seedDefaultPage } from "@/api/services/seed";
import { syncStaffEmails } from "@/api/services/staff-destinations";
import { defaultSubscribeLimits } from "@/api/services/subscriptions";
import { D1PageStore } from "./d1-store";
import { MissingSetting, type WorkerConfig } from "./env";
import { missingMigrations } from "./migrations";

/**
 * Monitor checks per cron tick. A Worker on the free plan may make 50 subrequests per invocation, and the same tick
 * sends emails and webhooks; an HTTP check that follows redirects may take up to six. Monitors beyond this wait for
 * the next minute (docs/automatic-status.md).
 */
export const monitorChecksPerTick = 25;

/**
 * What one invocation may spend draining the outbox, after a response (waitUntil) or in a cron tick. A chunk costs
 * one subrequest to Resend and five to ten D1 queries; Workers Paid allows 1,000 of each per invocation. `chatPosts`:
 * a chat post costs one subrequest to the platform and three D1 queries (claim, record, and a read).
 */
export const drainBudget = {
  request: { ms: 20_000, chunks: 40, chatPosts: 50 },
  cron: { ms: 50_000, chunks: 100, chatPosts: 150 },
};
/** A chunk a sender took is its own for this long; one Resend call takes well under it. */
const chunkLeaseMs = 60_000;

/**
 * Everything one invocation needs, made fresh for it: on Workers an I/O object belongs to the request that made
 * it, so nothing with I/O is shared between invocations. Only the renderer and plain bytes live longer.
 */
export function invocation(
  config: WorkerConfig,
  renderer: Renderer,
  rendererVersion: string,
  kind: "request" | "cron",
) {
  const clock = Date.now;
  const db = drizzle(config.db, { schema }) as unknown as Db;
  // No DNS API on Workers: literal addresses and local names are refused here, private networks by the platform.
  const outbound = createFetchOutbound({ allowPrivate: config.allowPrivateWebhooks });
  const deps: Deps = { db, clock, siteUrl: config.siteUrl, outbound };
  const log = (message: string) => console.error(message);
  const store = new D1PageStore(config.db, typeof caches === "undefined" ? undefined : caches.default);
  const publisher = createPublisher({
    ...deps,
    renderer,
    rendererVersion,
    store,
    compress: zlibCompressor,
    log,
    info: (message) => console.log(message),
    // The next write or cron tick publishes again; an invocation does not wait out long backoffs.
    maxAttempts: 2,
    markerOnlyAfterResume: true,
  });
  const transport =
    config.email.kind === "log"
      ? createLogTransport((text) => console.log(text))
      : createResendTransport({
          apiKey: config.email.apiKey,
          baseUrl: config.email.baseUrl,
          requestsPerSecond: config.email.rateLimit,
        });
  const notifier = createNotifier({
    ...deps,
    transport,
    emailFrom: config.emailFrom,
    log,
    leaseMs: chunkLeaseMs,
    deadline: clock() + drainBudget[kind].ms,
    maxChunks: drainBudget[kind].chunks,
    chat: { maxPosts: drainBudget[kind].chatPosts, leaseMs: chunkLeaseMs },
    pagesPublished: publisher.settled,
  });
  // Work a request left for after its answer (a subscription request); the invocation waits for it.
  const afterAnswer: Promise<unknown>[] = [];
  const app = createApp({
    ...deps,
    afterAnswer: (work) => {
      afterAnswer.push(
        new Promise((ok) => setTimeout(ok, 0)).then(work).catch((e: unknown) => log(`after the answer: ${e}`)),
      );
    },
    // No `state`: every invocation answers /healthz from the published set, which setUp made sure exists.
    publisher: { touch: (change) => publisher.touch(change) },
    store,
    renderer,
    notifier,
    resendWebhookSecret: config.resendWebhookSecret,
    log,
    subscribeLimits: { ...defaultSubscribeLimits, perPage: config.confirmationEmailsPerHour },
    alertSeverityStatuses: config.alertSeverityStatuses,
  });
  return {
    deps,
    publisher,
    notifier,
    app,
    /** What must finish before the invocation ends: publishing and sending started by it. */
    settled: async () => {
      await Promise.all(afterAnswer);
      await Promise.all([publisher.idle(), notifier.idle()]);
    },
  };
}

export type Invocation = ReturnType<typeof invocation>;

/**
 * Once per isolate: checks every migration was applied, seeds an empty database, makes ADMIN_API_KEY a valid admin
 * key, makes the STAFF_EMAILS destinations match the setting, and publishes the whole page if it never was. Safe to run twice at once in two isolates. Without SITE_URL an
 * empty database is seeded with the address of the first request (`origin`); a cron tick has none, so before the
 * first request it sets nothing up and answers false.
 */
export async function setUp(run: Invocation, config: WorkerConfig, origin: string | undefined): Promise<boolean> {
  const missing = await missingMigrations(config.db);
  if (missing.length > 0) {
    throw new MissingSetting(
      `The D1 database lacks the migrations ${missing.join(", ")}: run \`wrangler d1 migrations apply DB --remote\``,
    );
  }
  const url = config.siteUrl ?? origin;
  const seeded = async () => (await config.db.prepare("SELECT 1 FROM page_settings").first()) !== null;
  if (!url) {
    // A cron tick before the first request, without SITE_URL: no address to give the page yet.
    if (!(await seeded())) return false;
  } else {
    try {
      await seedDefaultPage(run.deps, url);
    } catch (error) {
      // Another isolate seeded at the same moment: its batch won, ours rolled back whole.
      if (!(await seeded())) throw error;
    }
  }
  await ensureConfiguredAdminKey(run.deps, config.adminApiKey);
  await syncStaffEmails(run.deps, config.staffEmails);
  if (!(await new D1PageStore(config.db, undefined).readMarker())) {
    run.publisher.touch({ resume: true });
    await run.publisher.idle();
  }
  return true;
}
