import { errorBody } from "@/api/errors";
import { advanceMaintenances } from "@/api/services/maintenances";
import { deleteStaleRateLimits } from "@/api/services/rate-limit";
import { loadPage } from "@/api/services/read-model";
import { monthKey, shiftMonth } from "@/api/publish/calendar";
import * as renderer from "marquee:renderer";
import build from "marquee:renderer-version";
import { type Env, MissingSetting, readWorkerConfig, type WorkerConfig } from "./env";
import { invocation, setUp } from "./runtime";

// The Workers entry: the same Hono app as on Node, over D1. See docs/deploy-cloudflare.md.
let config: WorkerConfig | undefined;
let ready = false;

/** The configuration, checked on the first invocation of an isolate, and the one-time setup once it is known. */
async function start(env: Env, kind: "request" | "cron", origin: string) {
  config ??= readWorkerConfig(env);
  const run = invocation(config, renderer, build.version, kind);
  if (!ready) {
    await setUp(run, config, origin);
    ready = true;
  }
  return run;
}

export default {
  async fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response> {
    let run;
    try {
      run = await start(env, "request", new URL(request.url).origin);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      console.error(`Marquee cannot start: ${message}`);
      const code = error instanceof MissingSetting ? "unavailable" : "internal_error";
      return Response.json(errorBody(code, `Marquee cannot start: ${message}`), { status: 503 });
    }
    const response = await run.app.fetch(request);
    // Publishing and sending go on after the answer, within the invocation's limits.
    ctx.waitUntil(run.settled());
    return response;
  },

  /** Every minute: maintenance windows start and end, the outbox drains, and the page catches up with the day. */
  async scheduled(_controller: ScheduledController, env: Env): Promise<void> {
    const run = await start(env, "cron", env.SITE_URL ?? "http://localhost");
    const { deps } = run;
    const now = deps.clock();
    const moved = await advanceMaintenances(deps);
    await deleteStaleRateLimits(deps.db, now);
    const month = monthKey(now, (await loadPage(deps.db)).timeZone);
    // `resume` also republishes whatever a publish cut short by an invocation's end left behind.
    run.publisher.touch({
      resume: true,
      incidents: moved,
      months: [month, shiftMonth(month, -1), shiftMonth(month, -3)],
    });
    run.notifier.wake();
    await run.settled();
  },
};
