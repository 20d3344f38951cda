import { and, eq, inArray, lte, sql } from "drizzle-orm";
import {
  type Incident,
  incidentComponents,
  incidents,
  type MaintenanceStatus,
  type ReminderInterval,
} from "@/db/schema";
import { AppError } from "@/api/errors";
import { newId } from "@/api/ids";
import type { MaintenanceCreate, MaintenanceUpdateCreate } from "@/api/schemas";
import type { IncidentView } from "@/present/views";
import { fieldNames, type StaffDeps, systemActor, writeAudited } from "./audit";
import { assertComponentsExist, componentAudit, jsonObject, type StatusChange } from "./component-status";
import type { Deps } from "./deps";
import { incidentEffects, type Written, written } from "./effects";
import { defaultBody, getIncidentRow, incidentNow, restoreChanges, updateStatements } from "./incidents";
import { chooseRemindersStatements, defaultReminders } from "./maintenance-reminders";
import { loadIncident } from "./read-model";
import { openMaintenanceStatuses } from "@/db/vocabulary";

/** One maintenance; `reminders` left out takes the default (1 h before), `repeat` is the series' business. */
export type OneMaintenance = Omit<MaintenanceCreate, "reminders" | "repeat"> & { reminders?: ReminderInterval[] };

export async function scheduleMaintenance(
  deps: StaffDeps,
  input: OneMaintenance,
  id: string = newId(),
): Promise<Written<IncidentView>> {
  const componentIds = [...new Set(input.components)];
  await assertComponentsExist(deps.db, componentIds);
  const now = deps.clock();
  const entry = {
    resourceType: "maintenance",
    resourceId: id,
    action: "create",
    after: { status: "scheduled" },
    fields: fieldNames(input),
  };
  await writeAudited(deps, entry, [
    deps.db.insert(incidents).values({
      id,
      kind: "maintenance",
      name: input.name,
      status: "scheduled",
      impact: "maintenance",
      startedAt: input.scheduled_for,
      scheduledFor: input.scheduled_for,
      scheduledUntil: input.scheduled_until,
      autoTransition: input.auto_transition,
      createdAt: now,
      updatedAt: now,
    }),
    ...componentIds.map((componentId) => deps.db.insert(incidentComponents).values({ incidentId: id, componentId })),
    ...updateStatements(deps, id, {
      status: "scheduled",
      body: input.body?.trim() || defaultBody("scheduled"),
      notify: input.notify,
      displayAt: now,
      changes: [],
    }),
    ...chooseRemindersStatements(deps.db, id, input.reminders ?? defaultReminders),
  ]);
  // A window that has already begun starts at once rather than at the next tick (in a write of its own: the caller's
  // `alsoWrite` belonged to the one above).
  const { alsoWrite: _written, ...plain } = deps;
  await advanceMaintenances(plain);
  return written(await loadIncident(deps.db, id), incidentEffects(id));
}

/** What a move to `status` does to the maintenance's components. */
async function transitionChanges(
  deps: Deps,
  maintenance: Incident,
  status: MaintenanceStatus,
): Promise<StatusChange[]> {
  if (status === "in_progress" && maintenance.status === "scheduled") {
    const view = await loadIncident(deps.db, maintenance.id);
    return view.components.map((c) => ({ componentId: c.id, status: "under_maintenance" as const }));
  }
  // One completed before it started (cancelled) never put its components under maintenance: it leaves them as they are.
  if (status === "completed" && maintenance.status !== "completed" && maintenance.status !== "scheduled") {
    return restoreChanges(deps, maintenance.id);
  }
  return [];
}

export async function postMaintenanceUpdate(
  deps: StaffDeps,
  id: string,
  input: MaintenanceUpdateCreate,
): Promise<Written<IncidentView>> {
  const maintenance = await getIncidentRow(deps, id, "maintenance");
  const status = (input.status ?? maintenance.status) as MaintenanceStatus;
  if (maintenance.status === "completed" && status !== "completed") {
    throw new AppError("conflict", "This maintenance is completed; schedule a new one instead");
  }
  await transition(
    deps,
    maintenance,
    status,
    { body: input.body?.trim() || defaultBody(status), notify: input.notify, displayAt: input.display_at },
    fieldNames(input),
  );
  return written(await loadIncident(deps.db, id), incidentEffects(id));
}

/** Posts a maintenance update, moving its status and components, recorded in the audit log by the actor at hand. */
async function transition(
  deps: StaffDeps,
  maintenance: Incident,
  status: MaintenanceStatus,
  update: { body: string; notify: boolean; displayAt?: number },
  fields: string[],
) {
  const now = deps.clock();
  const changes = await transitionChanges(deps, maintenance, status);
  const audit = componentAudit(changes);
  const entry = {
    resourceType: "maintenance",
    resourceId: maintenance.id,
    action: "post_update",
    before: jsonObject({ status: incidentNow(maintenance.id, incidents.status), components: audit.before }),
    after: { status, components: audit.after },
    fields,
  };
  await writeAudited(deps, entry, [
    ...updateStatements(deps, maintenance.id, { ...update, status, displayAt: update.displayAt ?? now, changes }),
    deps.db
      .update(incidents)
      .set({
        status,
        updatedAt: now,
        ...(status === "verifying" && { monitoringAt: sql`coalesce(${incidents.monitoringAt}, ${now})` }),
        ...(status === "completed" && { resolvedAt: now }),
      })
      // Guarded by the status read above, so a tick racing a staff update cannot apply the same move twice.
      .where(and(eq(incidents.id, maintenance.id), eq(incidents.status, maintenance.status))),
  ]);
}

/**
 * Moves maintenances whose window has started to in_progress and those whose window has ended to completed, for
 * those scheduled with auto_transition. Returns the ids it moved. Runs on every tick (Node timer, Workers cron).
 */
export async function advanceMaintenances(plain: Deps): Promise<Written<string[]>> {
  // Whoever's request runs it, a move at the window's edge is Marquee's own.
  const deps = { ...plain, actor: systemActor("maintenance schedule") };
  const now = deps.clock();
  const due = await deps.db
    .select()
    .from(incidents)
    .where(
      and(
        eq(incidents.kind, "maintenance"),
        eq(incidents.autoTransition, true),
        inArray(incidents.status, [...openMaintenanceStatuses]),
        lte(incidents.scheduledFor, now),
      ),
    );
  const moved: string[] = [];
  for (let m of due) {
    if (m.status === "scheduled") {
      await transition(deps, m, "in_progress", { body: defaultBody("in_progress"), notify: true }, ["status"]);
      m = await getIncidentRow(deps, m.id, "maintenance");
      moved.push(m.id);
    }
    if (m.scheduledUntil !== null && m.scheduledUntil <= now && m.status !== "completed") {
      await transition(deps, m, "completed", { body: defaultBody("completed"), notify: true }, ["status"]);
      if (!moved.includes(m.id)) moved.push(m.id);
    }
  }
  return written(moved, moved.length > 0 ? { publish: { incidents: moved }, wake: true } : {});
}
