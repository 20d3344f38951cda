/**
 * Turns what a heartbeat's pings and the clock say into what automation is told (api/automation/apply.ts), once per
 * change: down → a problem (its component shows `down_status`, the staff are alerted), a success after that → fine
 * again. `reported` records what automation was last told, so a crash between the two writes only means the tick
 * tells it again, and applying the same conclusion twice changes nothing.
 */
import { and, asc, eq, lte, ne, sql } from "drizzle-orm";
import { applyDetection, type Detection } from "@/api/automation/apply";
import type { Deps } from "@/api/services/deps";
import type { Db } from "@/db/client";
import { type Effects, type Written, written } from "@/api/services/effects";
import { loadPage } from "@/api/services/read-model";
import { type Heartbeat, heartbeats } from "@/db/schema";
import { describeTiming, utcMinute } from "./describe";
import { type HeartbeatState, stateAt } from "./schedule";

/** How many heartbeats one tick settles at most; the rest wait for the next tick, oldest deadline first. */
const perTick = 200;
/** A heartbeat whose report failed is tried again this much later. */
const retryMs = 60_000;

/** The tick's part: every heartbeat whose time has come (its deadline passed, or a ping left something to tell). */
export async function settleDueHeartbeats(deps: Deps): Promise<Written<number>> {
  const due = await dueHeartbeats(deps.db, deps.clock());
  const effects: Effects = {};
  for (const { id } of due) mergeEffects(effects, (await settleHeartbeat(deps, id)).effects);
  return written(due.length, effects);
}

/** The heartbeats whose time has come, oldest deadline first: a range on the `due_at` index, however many there are. */
export const dueHeartbeats = (db: Db, now: number) =>
  db
    .select({ id: heartbeats.id })
    .from(heartbeats)
    .where(lte(heartbeats.dueAt, now))
    .orderBy(asc(heartbeats.dueAt))
    .limit(perTick);

/** Records a heartbeat that the clock has made down, and tells automation whatever it was not told yet. */
export async function settleHeartbeat(deps: Deps, id: string): Promise<Written<HeartbeatState | null>> {
  const now = deps.clock();
  let row = await heartbeatRow(deps, id);
  if (!row) return written(null, {});
  if (row.status !== "down" && stateAt(row, now) === "down") {
    // Only if no ping has moved the deadline meanwhile.
    await deps.db
      .update(heartbeats)
      .set({ status: "down", downReason: overdueReason(row, now), lateAt: null, downAt: null, lastStartAt: null })
      .where(and(eq(heartbeats.id, id), ne(heartbeats.status, "down"), lte(heartbeats.downAt, now)));
    row = await heartbeatRow(deps, id);
    if (!row) return written(null, {});
  }
  const problem = row.status === "down";
  let effects: Effects = {};
  if (problem !== row.reported) {
    try {
      ({ effects } = await applyDetection(deps, await detectionFor(deps, row, problem)));
    } catch (error) {
      // Recorded where the staff see it (the heartbeat's `report_error`), and tried again.
      await deps.db
        .update(heartbeats)
        .set({ dueAt: now + retryMs, reportError: String((error as Error)?.message ?? error).slice(0, 500) })
        .where(eq(heartbeats.id, id));
      return written(stateAt(row, now), {});
    }
  }
  // Due again at its next deadline, or at once if a ping changed the picture while automation was being told.
  await deps.db
    .update(heartbeats)
    .set({
      reported: problem,
      reportError: null,
      dueAt: sql`case when (${heartbeats.status} = 'down') = ${problem ? 1 : 0} then ${heartbeats.downAt} else ${now} end`,
    })
    .where(eq(heartbeats.id, id));
  return written(stateAt(row, now), effects);
}

/** Tells automation the heartbeat is fine (it is paused, deleted, or moved to another component), if it said otherwise. */
export async function reportRecovered(deps: Deps, row: Heartbeat): Promise<Written<void>> {
  if (!row.reported) return written(undefined, {});
  const { effects } = await applyDetection(deps, await detectionFor(deps, row, false));
  // Due at once: should the caller's own write fail, the tick tells automation again what the heartbeat says.
  await deps.db.update(heartbeats).set({ reported: false, dueAt: deps.clock() }).where(eq(heartbeats.id, row.id));
  return written(undefined, effects);
}

async function detectionFor(deps: Deps, row: Heartbeat, problem: boolean): Promise<Detection> {
  const page = await loadPage(deps.db, deps.siteUrl);
  return {
    source: { kind: "heartbeat", id: row.id, name: row.name },
    componentId: row.componentId,
    problem: problem ? row.downStatus : null,
    incident: row.incidentMode,
    notify: row.notify,
    reason: row.downReason ?? "it is down",
    link: `${page.url.replace(/\/+$/, "")}/api/v1/heartbeats/${row.id}`,
  };
}

/** For the staff: why the clock made it down. */
function overdueReason(row: Heartbeat, now: number): string {
  const grace = row.graceSeconds * 1000;
  if (
    row.lastStartAt !== null &&
    row.lastStartAt + grace <= now &&
    (row.lateAt === null || row.lastStartAt <= row.lateAt)
  ) {
    return `it started at ${utcMinute(row.lastStartAt)} and reported no end within the grace time (${describeTiming(row).grace})`;
  }
  const timing = describeTiming(row);
  return `no ping since ${row.lastPingAt !== null ? utcMinute(row.lastPingAt) : "it was created"} (${timing.expected}, grace ${timing.grace})`;
}

/** Adds one write's effects to another's. */
export function mergeEffects(into: Effects, more: Effects) {
  if (more.wake) into.wake = true;
  if (more.publish) {
    const incidents = [...(into.publish?.incidents ?? []), ...(more.publish.incidents ?? [])];
    into.publish = { ...into.publish, ...more.publish, incidents };
  }
}

async function heartbeatRow({ db }: Deps, id: string) {
  const [row] = await db.select().from(heartbeats).where(eq(heartbeats.id, id));
  return row;
}
