/**
 * Runs due monitors, the same on both runtimes: Node asks ten times a second for as many as its concurrency cap leaves
 * room for; the Workers cron asks once a minute for as many as its subrequest budget allows, and the rest wait for
 * the next tick. A monitor is claimed by moving its `next_check_at` forward before it is checked, so no monitor is
 * checked twice at once (its timeout is shorter than its interval), whichever process or invocation asks.
 */
import { and, asc, eq, lt, lte, sql } from "drizzle-orm";
import { runAtomically } from "@/db/client";
import { type Monitor, monitorResults, monitorRollups, monitors } from "@/db/schema";
import { applyDetection, type StaffAlertStatements } from "@/api/automation/apply";
import type { Deps } from "@/api/services/deps";
import { commit, type EffectTarget } from "@/api/services/effects";
import type { MonitorCheck, RunCheck } from "./check-types";
import { judge } from "./judge";

const hourMs = 3_600_000;
export const rawResultsKeptMs = 48 * hourMs;
export const rollupsKeptMs = 90 * 24 * hourMs;

export type MonitorRunnerOptions = Deps & {
  target: EffectTarget;
  runCheck: RunCheck;
  /** Checks in flight at most (Node); default 50. */
  concurrency?: number;
  staffAlert?: StaffAlertStatements;
  /** The monitor's address for staff (its API resource). */
  linkOf?: (id: string) => string;
  log?: (message: string) => void;
};

export function createMonitorRunner(options: MonitorRunnerOptions) {
  const { db, clock } = options;
  const concurrency = options.concurrency ?? 50;
  const log = options.log ?? (() => {});
  const inFlight = new Map<string, Promise<void>>();

  /** Claims up to `limit` due monitors and starts their checks; gives the checks' promises (they never reject). */
  async function runDue(limit = concurrency - inFlight.size): Promise<Promise<void>[]> {
    if (limit <= 0) return [];
    const now = clock();
    const due = await db
      .select()
      .from(monitors)
      .where(and(eq(monitors.paused, false), lte(monitors.nextCheckAt, now)))
      .orderBy(asc(monitors.nextCheckAt))
      .limit(limit + inFlight.size);
    const started: Promise<void>[] = [];
    for (const monitor of due) {
      if (started.length >= limit) break;
      if (inFlight.has(monitor.id) || !(await claim(monitor, now))) continue;
      const run = checkOne(monitor)
        .catch((e) => log(`monitor ${monitor.name}: ${e instanceof Error ? (e.stack ?? e.message) : e}`))
        .finally(() => inFlight.delete(monitor.id));
      inFlight.set(monitor.id, run);
      started.push(run);
    }
    return started;
  }

  async function claim(monitor: Monitor, now: number): Promise<boolean> {
    const claimed = await db
      .update(monitors)
      .set({ nextCheckAt: nextCheckAfter(monitor, now) })
      .where(
        and(eq(monitors.id, monitor.id), eq(monitors.nextCheckAt, monitor.nextCheckAt), eq(monitors.paused, false)),
      )
      .returning({ id: monitors.id });
    return claimed.length > 0;
  }

  async function checkOne(monitor: Monitor): Promise<void> {
    const result = await options.runCheck(monitor.check as unknown as MonitorCheck);
    const now = clock();
    const judged = judge(monitor, result);
    if (judged.changed && judged.state !== "pending" && judged.state !== "paused") {
      // Applied before the monitor's new state is stored: after a crash in between, the next result judges the same
      // change again, and applying it twice changes nothing the second time.
      const outcome = await commit(
        options.target,
        applyDetection(
          options,
          {
            source: { kind: "monitor", id: monitor.id, name: monitor.name },
            componentId: monitor.componentId,
            problem: judged.state === "up" ? null : judged.status,
            incident: monitor.incidentMode,
            notify: monitor.notify,
            reason: result.message,
            link: options.linkOf?.(monitor.id),
          },
          options.staffAlert,
        ),
      );
      log(`monitor ${monitor.name} is ${judged.state} (${result.message}): ${outcome.did || "nothing to change"}`);
    }
    await runAtomically(db, [stateWrite(monitor, judged, result, now), resultWrite(monitor, result, now)]);
  }

  function stateWrite(monitor: Monitor, judged: ReturnType<typeof judge>, result: CheckResultLike, now: number) {
    return (
      db
        .update(monitors)
        .set({
          state: judged.state,
          stateStatus: judged.status,
          ...(judged.state !== monitor.state && { stateChangedAt: now }),
          recent: judged.recent,
          lastCheckedAt: now,
          lastResponseMs: result.responseMs === null ? null : Math.round(result.responseMs),
          lastMessage: result.message,
        })
        // Staff changed or paused it while the check ran: that change wins, and this result is not judged.
        .where(and(eq(monitors.id, monitor.id), eq(monitors.updatedAt, monitor.updatedAt)))
    );
  }

  function resultWrite(monitor: Monitor, result: CheckResultLike, now: number) {
    return db.insert(monitorResults).values({
      monitorId: monitor.id,
      at: now,
      level: result.outcome === "up" ? 0 : result.outcome === "degraded" ? 1 : 2,
      responseMs: result.responseMs === null ? null : Math.round(result.responseMs),
      message: result.outcome === "up" ? null : result.message,
    });
  }

  return {
    runDue,
    /** Resolves once the checks in flight are done (a clean stop). */
    idle: () => Promise.all(inFlight.values()),
  };
}

/**
 * The next check keeps the monitor's own rhythm (no drift from the loop's second), so checks stay spread as they
 * were first spread. One overdue by more than an interval (after a stop, or a burst the cap held back) is spread
 * again over the next few seconds instead of joining every other overdue check at once.
 */
export function nextCheckAfter(monitor: Pick<Monitor, "nextCheckAt" | "intervalSeconds">, now: number): number {
  const interval = monitor.intervalSeconds * 1000;
  const next = monitor.nextCheckAt + interval;
  return next > now ? next : now + interval + Math.floor(Math.random() * Math.min(interval, 10_000));
}

type CheckResultLike = { outcome: "up" | "degraded" | "down"; responseMs: number | null; message: string };

/**
 * Rolls the last complete hour's results into hourly figures (once: the roll-up is an upsert of the same numbers) and
 * removes raw results older than 48 hours and roll-ups older than 90 days. Cheap when there is nothing to do. Gives
 * true when a new hour was rolled up and the page shows a response-time chart, which then needs republishing.
 */
export async function maintainResults({ db, clock }: Deps): Promise<boolean> {
  const now = clock();
  const hour = Math.floor(now / hourMs) * hourMs - hourMs;
  const rolledUp = async () =>
    (await db.select({ hour: monitorRollups.hour }).from(monitorRollups).where(eq(monitorRollups.hour, hour)).limit(1))
      .length > 0;
  let rolled = false;
  if (!(await rolledUp())) {
    await db.run(sql`
      insert into ${monitorRollups} (monitor_id, hour, checks, degraded, down, response_ms_sum, response_count, response_ms_max)
      select monitor_id, ${hour}, count(*), sum(level = 1), sum(level = 2), coalesce(sum(response_ms), 0), count(response_ms), max(response_ms)
      from ${monitorResults} where at >= ${hour} and at < ${hour + hourMs}
      group by monitor_id
      on conflict (monitor_id, hour) do nothing`);
    // An hour without results leaves no row: nothing new to show.
    rolled = await rolledUp();
  }
  await db.delete(monitorResults).where(lt(monitorResults.at, now - rawResultsKeptMs));
  await db.delete(monitorRollups).where(lt(monitorRollups.hour, now - rollupsKeptMs));
  if (!rolled) return false;
  const [charted] = await db.select({ id: monitors.id }).from(monitors).where(eq(monitors.showChart, true)).limit(1);
  return charted !== undefined;
}
