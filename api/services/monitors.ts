import { and, asc, desc, eq, gte, lt } from "drizzle-orm";
import { automaticStates, type Monitor, monitorResults, monitorRollups, monitors } from "@/db/schema";
import { notFound } from "@/api/errors";
import { validate } from "@/api/http";
import { newId } from "@/api/ids";
import type { MonitorCheck } from "@/api/monitors/check-types";
import { checkOf, fieldsOfCheck, MonitorCreate, type MonitorPatch } from "@/api/monitors/schemas";
import { fieldNames, type StaffDeps, writeAudited } from "./audit";
import { assertComponentsExist } from "./component-status";
import type { Deps } from "./deps";
import { type Written, written } from "./effects";

/** A monitor's first check comes within this much of its creation, spread so a burst of new monitors never checks in step. */
const firstCheckSpreadMs = 10_000;

export async function listMonitors({ db }: Deps): Promise<Monitor[]> {
  return db.select().from(monitors).orderBy(asc(monitors.name), asc(monitors.id));
}

export async function getMonitor({ db }: Deps, id: string): Promise<Monitor> {
  const [row] = await db.select().from(monitors).where(eq(monitors.id, id));
  if (!row) throw notFound("Monitor", id);
  return row;
}

/** The API fields of a stored monitor, as POST would take them. */
export function fieldsOf(m: Monitor): MonitorCreate {
  return validate(MonitorCreate, {
    ...stripUndefined(fieldsOfCheck(m.check as unknown as MonitorCheck)),
    name: m.name,
    type: m.type,
    interval_seconds: m.intervalSeconds,
    timeout_ms: m.timeoutMs,
    failure_threshold: m.failureThreshold,
    success_threshold: m.successThreshold,
    component_id: m.componentId,
    down_status: m.downStatus,
    incident: m.incidentMode,
    notify: m.notify,
    show_chart: m.showChart,
    paused: m.paused,
  });
}

const stripUndefined = (o: object) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

function columnsOf(input: MonitorCreate) {
  return {
    name: input.name,
    type: input.type,
    check: checkOf(input) as unknown as Record<string, unknown>,
    intervalSeconds: input.interval_seconds,
    timeoutMs: input.timeout_ms,
    failureThreshold: input.failure_threshold,
    successThreshold: input.success_threshold,
    componentId: input.component_id,
    downStatus: input.down_status,
    incidentMode: input.incident,
    notify: input.notify,
    showChart: input.show_chart,
    paused: input.paused,
  };
}

export async function createMonitor(deps: StaffDeps, input: MonitorCreate): Promise<Written<Monitor>> {
  if (input.component_id) await assertComponentsExist(deps.db, [input.component_id]);
  const now = deps.clock();
  const id = newId();
  const row = {
    id,
    ...columnsOf(input),
    state: input.paused ? ("paused" as const) : ("pending" as const),
    nextCheckAt: now + Math.floor(Math.random() * Math.min(firstCheckSpreadMs, input.interval_seconds * 1000)),
    createdAt: now,
    updatedAt: now,
  };
  await writeAudited(deps, { resourceType: "monitor", resourceId: id, action: "create", fields: fieldNames(input) }, [
    deps.db.insert(monitors).values(row),
  ]);
  return written(await getMonitor(deps, id), { publish: input.show_chart ? {} : undefined });
}

/**
 * Changes a monitor. Pausing stops its checks and keeps what it did to the page; resuming starts it afresh
 * (pending, checked at once), and its first result decides: up undoes what it did, down keeps it.
 */
export async function updateMonitor(deps: StaffDeps, id: string, patch: MonitorPatch): Promise<Written<Monitor>> {
  const current = await getMonitor(deps, id);
  const merged = validate(MonitorCreate, { ...fieldsOf(current), ...stripUndefined(patch) });
  if (merged.component_id && merged.component_id !== current.componentId) {
    await assertComponentsExist(deps.db, [merged.component_id]);
  }
  const now = deps.clock();
  const checkChanged =
    JSON.stringify(checkOf(merged)) !== JSON.stringify(current.check) ||
    merged.failure_threshold !== current.failureThreshold ||
    merged.success_threshold !== current.successThreshold;
  const pausing = merged.paused && !current.paused;
  const resuming = !merged.paused && current.paused;
  const restart = resuming || (checkChanged && !merged.paused);
  await writeAudited(
    deps,
    {
      resourceType: "monitor",
      resourceId: id,
      action: pausing ? "pause" : resuming ? "resume" : "update",
      fields: fieldNames(patch),
    },
    [
      deps.db
        .update(monitors)
        .set({
          ...columnsOf(merged),
          ...(pausing && { state: "paused" as const }),
          // A new check or thresholds: judged afresh from the next result, which comes at once.
          ...(restart && { state: "pending" as const, recent: "", nextCheckAt: now }),
          ...(!restart && merged.interval_seconds !== current.intervalSeconds && { nextCheckAt: now }),
          updatedAt: now,
        })
        .where(eq(monitors.id, id)),
      // Moved to another component: the old one is staff's again.
      ...(merged.component_id !== current.componentId
        ? [
            deps.db
              .update(automaticStates)
              .set({ componentId: merged.component_id, setStatus: null })
              .where(and(eq(automaticStates.sourceKind, "monitor"), eq(automaticStates.sourceId, id))),
          ]
        : []),
    ],
  );
  return written(await getMonitor(deps, id), { publish: merged.show_chart || current.showChart ? {} : undefined });
}

/** Deletes a monitor and its results. What it set on the page stays, for staff to change. */
export async function deleteMonitor(deps: StaffDeps, id: string): Promise<Written<void>> {
  const current = await getMonitor(deps, id);
  await writeAudited(deps, { resourceType: "monitor", resourceId: id, action: "delete" }, [
    deps.db.delete(monitors).where(eq(monitors.id, id)),
    deps.db
      .delete(automaticStates)
      .where(and(eq(automaticStates.sourceKind, "monitor"), eq(automaticStates.sourceId, id))),
  ]);
  return written(undefined, { publish: current.showChart ? {} : undefined });
}

export type MonitorResultsQuery = { since: number; until: number; limit: number };

/** Raw results (kept 48 hours), newest first, and hourly roll-ups (kept 90 days) in the same window. */
export async function monitorResultsOf(deps: Deps, id: string, q: MonitorResultsQuery) {
  await getMonitor(deps, id);
  const results = await deps.db
    .select()
    .from(monitorResults)
    .where(and(eq(monitorResults.monitorId, id), gte(monitorResults.at, q.since), lt(monitorResults.at, q.until)))
    .orderBy(desc(monitorResults.at))
    .limit(q.limit);
  const hourly = await deps.db
    .select()
    .from(monitorRollups)
    .where(and(eq(monitorRollups.monitorId, id), gte(monitorRollups.hour, q.since), lt(monitorRollups.hour, q.until)))
    .orderBy(asc(monitorRollups.hour));
  return { results, hourly };
}
