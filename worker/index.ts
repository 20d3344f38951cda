import { publishedPath, responseFromPage } from "@/api/publish/serve";
import { type HeaderPolicy, headerPolicy } from "@/api/security-headers";
import { applyEffects, commit } from "@/api/services/effects";
import { tick } from "@/api/services/tick";
import * as renderer from "marquee:renderer";
import build from "marquee:renderer-version";
import { type Env, readWorkerConfig, type WorkerConfig } from "./env";
import { startFailure } from "./start-failure";
import { D1PageStore } from "./d1-store";
import { countingQueries, type QueryCount } from "./query-count";
import { invocation, monitorChecksPerTick, setUp } from "./runtime";
import { runCheck } from "./monitor-checks";
import { createMonitorRunner, maintainResults } from "@/api/monitors/runner";

// The Workers entry: the same Hono app as on Node, over D1. See docs/deploy-cloudflare.md.
let config: WorkerConfig | undefined;
let ready = false;
/** The same security headers as the app's, for pages answered before the app is built. */
let policy: HeaderPolicy | undefined;

/**
 * The configuration, checked on the first invocation of an isolate, and the one-time setup once it is known.
 * Undefined for a cron tick that comes before the first request has told the worker its address.
 */
async function start(env: Env, kind: "request" | "cron", origin: string | undefined, count?: QueryCount) {
  config ??= readWorkerConfig(env);
  const db = count ? countingQueries(config.db, count) : config.db;
  const run = invocation({ ...config, db }, renderer, build.version, kind);
  ready ||= await setUp(run, config, origin);
  return ready ? run : undefined;
}

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    if (ready && config) {
      const published = await fromPublished(request, config);
      if (published) return published;
    }
    const count = env.D1_QUERY_LOG === "1" && ready ? { calls: 0, statements: 0 } : undefined;
    let run;
    try {
      run = (await start(env, "request", new URL(request.url).origin, count))!;
    } catch (error) {
      return startFailure(error);
    }
    // Cloudflare sets CF-Connecting-IP to the reader's address; the subscribe form's per-client limit keys on it.
    const response = await run.app.fetch(request, { clientIp: request.headers.get("cf-connecting-ip") ?? undefined });
    // Publishing and sending go on after the answer, within the invocation's limits.
    ctx.waitUntil(count ? logQueries(request, count, run.settled()) : run.settled());
    return response;
  },

  /**
   * Every minute: maintenance windows start and end, reminders go out, recurring maintenances get their next
   * occurrence (api/services/tick.ts), due monitors are checked, the outbox drains, and the page
   * catches up with the day.
   */
  async scheduled(_controller: ScheduledController, env: Env): Promise<void> {
    const run = await start(env, "cron", undefined);
    if (!run) return;
    // An invocation remembers no earlier tick: each one republishes the pages that count days.
    await commit(run, tick(run.deps, null));
    // Due monitors, as many as the subrequest budget allows; the rest are due on the next tick.
    const monitors = createMonitorRunner({ ...run.deps, target: run, runCheck, log: console.log });
    await Promise.all(await monitors.runDue(monitorChecksPerTick));
    if (await maintainResults(run.deps)) applyEffects(run, { publish: {} });
    // `resume` also republishes whatever a publish cut short by an invocation's end left behind.
    applyEffects(run, { publish: { resume: true } });
    await run.settled();
  },
};

/**
 * Readers' fast path, as on Node: a published page is answered from the store without building the app. Anything
 * else (the API, forms, a page that is not there) goes to the app, which answers it or says 404.
 */
async function fromPublished(request: Request, config: WorkerConfig): Promise<Response | undefined> {
  if (request.method !== "GET" && request.method !== "HEAD") return undefined;
  const { pathname } = new URL(request.url);
  if (pathname.startsWith("/api/v1") || pathname.startsWith("/ping/")) return undefined;
  const page = await new D1PageStore(config.db, caches.default).get(publishedPath(pathname));
  if (!page) return undefined;
  policy ??= headerPolicy(renderer.inlineSources, config.siteUrl);
  return responseFromPage(page, request, policy);
}

/** One log line per request: D1 statements and round trips for the answer, and for what ran after it. */
async function logQueries(request: Request, count: QueryCount, settled: Promise<void>) {
  const answer = { ...count };
  await settled;
  const after = { calls: count.calls - answer.calls, statements: count.statements - answer.statements };
  const { pathname } = new URL(request.url);
  console.log(
    `d1 ${request.method} ${pathname}: answer ${answer.statements} statements in ${answer.calls} calls; ` +
      `after it ${after.statements} statements in ${after.calls} calls`,
  );
}
