import { and, eq, inArray, isNull } from "drizzle-orm";
import type { Db } from "@/db/client";
import { components, incidents, maintenanceOccurrences, type MaintenanceSeries, maintenanceSeries } from "@/db/schema";
import { AppError, notFound } from "@/api/errors";
import { newId } from "@/api/ids";
import type { MaintenanceCreate, MaintenanceSeriesPatch } from "@/api/schemas";
import { clockInZone, dateInZone } from "@/present/time";
import type { IncidentView } from "@/present/views";
import { fieldNames, type StaffDeps, systemActor, writeAudited } from "./audit";
import type { Deps } from "./deps";
import { type Written, written } from "./effects";
import { cancelMaintenance } from "./maintenance-actions";
import { scheduleMaintenance } from "./maintenances";
import { inSlices, loadPage } from "./read-model";
import { nextOccurrence, occurrenceStart, type Recurrence } from "./recurrence";

/** Schedules one maintenance, or for a `repeat` a series whose first occurrence is this window. */
export async function planMaintenance(deps: StaffDeps, input: MaintenanceCreate): Promise<Written<IncidentView>> {
  const { repeat, ...one } = input;
  if (!repeat) return scheduleMaintenance(deps, one);
  const { timeZone } = await loadPage(deps.db);
  const series: MaintenanceSeries = {
    id: newId(),
    every: repeat.every,
    name: input.name,
    body: input.body?.trim() || null,
    components: [...new Set(input.components)],
    firstDate: dateInZone(input.scheduled_for, timeZone),
    localTime: clockInZone(input.scheduled_for, timeZone),
    durationMs: input.scheduled_until - input.scheduled_for,
    until: repeat.until ?? null,
    count: repeat.count ?? null,
    reminders: input.reminders,
    autoTransition: input.auto_transition,
    notify: input.notify,
    createdAt: deps.clock(),
    stoppedAt: null,
  };
  if (series.until !== null && series.until < series.firstDate) {
    const message = "must not be before the first occurrence";
    throw new AppError("validation_failed", `repeat.until: ${message}`, [{ path: "repeat.until", message }]);
  }
  const id = newId();
  // The first occurrence is the window given, to the minute as staff typed it.
  return scheduleMaintenance(
    { ...deps, alsoWrite: [...seriesStatements(deps.db, series), occurrence(deps, series.id, 0, id)] },
    one,
    id,
  );
}

const seriesStatements = (db: Db, series: MaintenanceSeries) => [db.insert(maintenanceSeries).values(series)];

const occurrence = (deps: Deps, seriesId: string, number: number, maintenanceId: string) =>
  deps.db.insert(maintenanceOccurrences).values({ seriesId, number, maintenanceId, createdAt: deps.clock() });

/** Another runner made the same occurrence first: its write failed as a whole on the primary key. */
const isDuplicate = (error: unknown): boolean => {
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    if (/UNIQUE constraint failed: maintenance_occurrences\./.test(String(e))) return true;
  }
  return false;
};

const recurrenceOf = (s: MaintenanceSeries): Recurrence => s;

/**
 * Keeps each running series' next occurrence made: the first whose start is after now, made as soon as the one
 * before it has started (so a week or a month ahead, in time for its reminders). Each occurrence is an ordinary
 * maintenance, made once whatever races (its occurrence row is in the same write, keyed by series and number);
 * occurrences whose time passed while the server was down are not made late. Runs on every tick.
 */
export async function makeDueOccurrences(plain: Deps): Promise<Written<string[]>> {
  const deps = { ...plain, actor: systemActor("maintenance series") };
  const now = deps.clock();
  const running = await deps.db.select().from(maintenanceSeries).where(isNull(maintenanceSeries.stoppedAt));
  if (running.length === 0) return written([], {});
  const { timeZone } = await loadPage(deps.db);
  const made: string[] = [];
  for (const series of running) {
    const next = nextOccurrence(recurrenceOf(series), now, timeZone);
    if (!next) continue;
    const [exists] = await deps.db
      .select({ number: maintenanceOccurrences.number })
      .from(maintenanceOccurrences)
      .where(and(eq(maintenanceOccurrences.seriesId, series.id), eq(maintenanceOccurrences.number, next.number)));
    if (exists) continue;
    const id = newId();
    const known = new Set(
      (
        await inSlices(series.components, (slice) =>
          deps.db.select({ id: components.id }).from(components).where(inArray(components.id, slice)),
        )
      ).map((c) => c.id),
    );
    const input = {
      name: series.name,
      body: series.body ?? undefined,
      scheduled_for: next.start,
      scheduled_until: next.start + series.durationMs,
      // Components deleted since are left out rather than failing every occurrence to come.
      components: series.components.filter((c) => known.has(c)),
      auto_transition: series.autoTransition,
      notify: series.notify,
      reminders: series.reminders,
    };
    try {
      await scheduleMaintenance({ ...deps, alsoWrite: [occurrence(deps, series.id, next.number, id)] }, input, id);
      made.push(id);
    } catch (error) {
      if (!isDuplicate(error)) throw error;
    }
  }
  return written(made, made.length > 0 ? { publish: { incidents: made }, wake: true } : {});
}

export type SeriesView = MaintenanceSeries & { occurrences: { number: number; maintenanceId: string | null }[] };

export async function getSeries(deps: Deps, id: string): Promise<SeriesView> {
  const [series] = await deps.db.select().from(maintenanceSeries).where(eq(maintenanceSeries.id, id));
  if (!series) throw notFound("Maintenance series", id);
  const occurrences = await deps.db
    .select({ number: maintenanceOccurrences.number, maintenanceId: maintenanceOccurrences.maintenanceId })
    .from(maintenanceOccurrences)
    .where(eq(maintenanceOccurrences.seriesId, id))
    .orderBy(maintenanceOccurrences.number);
  return { ...series, occurrences };
}

/** The series each maintenance belongs to, for those that belong to one (`running`: to one not stopped). */
export async function loadSeriesIds(
  db: Db,
  maintenanceIds: readonly string[],
  running = false,
): Promise<Map<string, string>> {
  if (maintenanceIds.length === 0) return new Map();
  const rows = await inSlices(maintenanceIds, (slice) =>
    db
      .select({
        seriesId: maintenanceOccurrences.seriesId,
        maintenanceId: maintenanceOccurrences.maintenanceId,
        stoppedAt: maintenanceSeries.stoppedAt,
      })
      .from(maintenanceOccurrences)
      .innerJoin(maintenanceSeries, eq(maintenanceSeries.id, maintenanceOccurrences.seriesId))
      .where(inArray(maintenanceOccurrences.maintenanceId, slice)),
  );
  return new Map(rows.filter((r) => !running || r.stoppedAt === null).map((r) => [r.maintenanceId!, r.seriesId]));
}

/**
 * Cancels the series' occurrences that have not started and fall outside it now (all of them once it is stopped),
 * telling subscribers if the series notifies. Those under way or over stay as they are.
 */
async function cancelOutside(deps: StaffDeps, series: SeriesView, keep: (number: number) => boolean) {
  const ids = series.occurrences.filter((o) => !keep(o.number) && o.maintenanceId).map((o) => o.maintenanceId!);
  if (ids.length === 0) return [];
  const scheduled = await inSlices(ids, (slice) =>
    deps.db
      .select({ id: incidents.id })
      .from(incidents)
      .where(and(inArray(incidents.id, slice), eq(incidents.status, "scheduled"))),
  );
  for (const m of scheduled) await cancelMaintenance(deps, m.id, series.notify);
  return scheduled.map((m) => m.id);
}

/** Stops a series: no occurrence is made after this, and those not started yet are cancelled. */
export async function stopSeries(deps: StaffDeps, id: string): Promise<Written<SeriesView>> {
  const series = await getSeries(deps, id);
  if (series.stoppedAt === null) {
    const entry = { resourceType: "maintenance_series", resourceId: id, action: "stop", fields: [] };
    await writeAudited(deps, entry, [
      deps.db.update(maintenanceSeries).set({ stoppedAt: deps.clock() }).where(eq(maintenanceSeries.id, id)),
    ]);
  }
  const cancelled = await cancelOutside(deps, series, () => false);
  return written(await getSeries(deps, id), { publish: { incidents: cancelled }, wake: true });
}

/** Ends a series at another date or count; occurrences already made that fall after the new end are cancelled. */
export async function editSeries(
  deps: StaffDeps,
  id: string,
  patch: MaintenanceSeriesPatch,
): Promise<Written<SeriesView>> {
  const series = await getSeries(deps, id);
  if (series.stoppedAt !== null) throw new AppError("conflict", "This series is stopped");
  const changed = {
    until: patch.until === undefined ? series.until : patch.until,
    count: patch.count === undefined ? series.count : patch.count,
  };
  const entry = { resourceType: "maintenance_series", resourceId: id, action: "edit", fields: fieldNames(patch) };
  await writeAudited(deps, entry, [deps.db.update(maintenanceSeries).set(changed).where(eq(maintenanceSeries.id, id))]);
  const { timeZone } = await loadPage(deps.db);
  const updated = { ...series, ...changed };
  const cancelled = await cancelOutside(deps, updated, (n) => occurrenceStart(updated, n, timeZone) !== null);
  return written(await getSeries(deps, id), { publish: { incidents: cancelled }, wake: true });
}
