/** Heartbeats as the staff manage them: create, change, pause, rotate the ping URL, delete, read. */
import { desc, eq } from "drizzle-orm";
import { AppError, notFound } from "@/api/errors";
import { newId, randomToken, sha256HexSync } from "@/api/ids";
import { fieldNames, type StaffDeps, writeAudited } from "@/api/services/audit";
import { assertComponentsExist } from "@/api/services/component-status";
import type { Deps } from "@/api/services/deps";
import { type Effects, type Written, written } from "@/api/services/effects";
import { loadPage } from "@/api/services/read-model";
import { type Heartbeat, type HeartbeatPing, heartbeatPings, heartbeats } from "@/db/schema";
import type { HeartbeatCreate, HeartbeatPatch } from "./schemas";
import { deadlines, scheduleProblem } from "./schedule";
import { mergeEffects, reportRecovered, settleHeartbeat } from "./settle";

/** A new heartbeat or a rotated one, with the ping URL shown this once (only its token's hash is kept). */
export type WithPingUrl = { heartbeat: Heartbeat; pingUrl: string };

/** 160 random bits, hex: URL-safe, and too many to guess. */
const newToken = () => randomToken(20);
const tokenHash = (token: string) => sha256HexSync(token);

async function pingUrl(deps: Deps, token: string) {
  const page = await loadPage(deps.db, deps.siteUrl);
  return `${page.url.replace(/\/+$/, "")}/ping/${token}`;
}

export async function listHeartbeats({ db }: Deps): Promise<Heartbeat[]> {
  return db.select().from(heartbeats).orderBy(heartbeats.createdAt, heartbeats.id);
}

export async function getHeartbeat({ db }: Deps, id: string): Promise<Heartbeat> {
  const [row] = await db.select().from(heartbeats).where(eq(heartbeats.id, id));
  if (!row) throw notFound("Heartbeat", id);
  return row;
}

/** The last pings (50 are kept), newest first. */
export async function listPings(deps: Deps, id: string): Promise<HeartbeatPing[]> {
  await getHeartbeat(deps, id);
  return deps.db
    .select()
    .from(heartbeatPings)
    .where(eq(heartbeatPings.heartbeatId, id))
    .orderBy(desc(heartbeatPings.id))
    .limit(50);
}

export async function createHeartbeat(deps: StaffDeps, input: HeartbeatCreate): Promise<Written<WithPingUrl>> {
  if (input.component_id) await assertComponentsExist(deps.db, [input.component_id]);
  const now = deps.clock();
  const token = newToken();
  const row: Heartbeat = {
    id: newId(),
    name: input.name,
    tokenHash: tokenHash(token),
    periodSeconds: input.period_seconds ?? null,
    schedule: input.schedule ?? null,
    timeZone: input.time_zone,
    graceSeconds: input.grace_seconds,
    componentId: input.component_id ?? null,
    downStatus: input.down_status,
    incidentMode: input.incident,
    notify: input.notify,
    paused: input.paused,
    status: "new",
    downReason: null,
    lastPingAt: null,
    lastStartAt: null,
    lateAt: null,
    downAt: null,
    dueAt: null,
    reported: false,
    reportError: null,
    createdAt: now,
    updatedAt: now,
  };
  await writeAudited(
    deps,
    { resourceType: "heartbeat", resourceId: row.id, action: "create", fields: fieldNames(input) },
    [deps.db.insert(heartbeats).values(row)],
  );
  return written({ heartbeat: row, pingUrl: await pingUrl(deps, token) }, {});
}

/**
 * Changes a heartbeat. A new period or schedule counts from the last ping. Pausing stops judging it (pings are
 * logged and change nothing) and tells automation it is fine; resuming starts afresh, as `new`, as healthchecks.io
 * does, so a job that was off for a while is not down the moment it is resumed.
 */
export async function updateHeartbeat(deps: StaffDeps, id: string, patch: HeartbeatPatch): Promise<Written<Heartbeat>> {
  const row = await getHeartbeat(deps, id);
  if (patch.component_id) await assertComponentsExist(deps.db, [patch.component_id]);
  const next: Heartbeat = {
    ...row,
    name: patch.name ?? row.name,
    periodSeconds: patch.schedule !== undefined ? null : (patch.period_seconds ?? row.periodSeconds),
    schedule: patch.period_seconds !== undefined ? null : (patch.schedule ?? row.schedule),
    timeZone: patch.time_zone ?? row.timeZone,
    graceSeconds: patch.grace_seconds ?? row.graceSeconds,
    componentId: patch.component_id !== undefined ? patch.component_id : row.componentId,
    downStatus: patch.down_status ?? row.downStatus,
    incidentMode: patch.incident ?? row.incidentMode,
    notify: patch.notify ?? row.notify,
    paused: patch.paused ?? row.paused,
    updatedAt: deps.clock(),
  };
  if (next.schedule !== null) {
    const problem = scheduleProblem(next.schedule, next.timeZone);
    if (problem)
      throw new AppError("validation_failed", `schedule: ${problem}`, [{ path: "schedule", message: problem }]);
  }
  if (patch.paused !== undefined && patch.paused !== row.paused) {
    Object.assign(next, { status: "new", downReason: null, lastStartAt: null });
  }
  Object.assign(next, deadlines(next));
  const effects: Effects = {};
  // What automation did for the old component is undone before the heartbeat speaks of another one.
  if (row.reported && (next.componentId !== row.componentId || next.paused)) {
    Object.assign(effects, (await reportRecovered(deps, row)).effects);
    next.reported = false;
  }
  next.dueAt = (next.status === "down") !== next.reported ? next.updatedAt : next.downAt;
  // Only what the patch decides: a ping that lands meanwhile keeps its own fields.
  const { name, periodSeconds, schedule, timeZone, graceSeconds, componentId, downStatus, incidentMode } = next;
  const { notify, paused, status, downReason, lastStartAt, lateAt, downAt, dueAt, reported, updatedAt } = next;
  const changes = { name, periodSeconds, schedule, timeZone, graceSeconds, componentId, downStatus, incidentMode };
  const pausing = patch.paused !== undefined && patch.paused !== row.paused ? { status, downReason, lastStartAt } : {};
  await writeAudited(deps, { resourceType: "heartbeat", resourceId: id, action: "update", fields: fieldNames(patch) }, [
    deps.db
      .update(heartbeats)
      .set({ ...changes, notify, paused, ...pausing, lateAt, downAt, dueAt, reported, updatedAt })
      .where(eq(heartbeats.id, id)),
  ]);
  mergeEffects(effects, (await settleHeartbeat(deps, id)).effects);
  return written(await getHeartbeat(deps, id), effects);
}

/** A new ping URL; the old one stops working at once. */
export async function rotatePingUrl(deps: StaffDeps, id: string): Promise<Written<WithPingUrl>> {
  await getHeartbeat(deps, id);
  const token = newToken();
  await writeAudited(deps, { resourceType: "heartbeat", resourceId: id, action: "rotate", fields: ["ping_url"] }, [
    deps.db
      .update(heartbeats)
      .set({ tokenHash: tokenHash(token), updatedAt: deps.clock() })
      .where(eq(heartbeats.id, id)),
  ]);
  return written({ heartbeat: await getHeartbeat(deps, id), pingUrl: await pingUrl(deps, token) }, {});
}

/** Deletes a heartbeat and its pings, after undoing what it did to its component. */
export async function deleteHeartbeat(deps: StaffDeps, id: string): Promise<Written<void>> {
  const row = await getHeartbeat(deps, id);
  const { effects } = await reportRecovered(deps, row);
  await writeAudited(deps, { resourceType: "heartbeat", resourceId: id, action: "delete" }, [
    deps.db.delete(heartbeats).where(eq(heartbeats.id, id)),
  ]);
  return written(undefined, effects);
}
