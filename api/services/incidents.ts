import { eq, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { Statement } from "@/db/client";
import {
  type ComponentStatus,
  type Incident,
  incidentComponents,
  incidents,
  incidentUpdates,
  type UpdateStatus,
} from "@/db/schema";
import { AppError, notFound } from "@/api/errors";
import { newId } from "@/api/ids";
import type { IncidentCreate, IncidentPatch, IncidentUpdateCreate, UpdateEdit } from "@/api/schemas";
import type { IncidentView } from "@/present/views";
import { fieldNames, type StaffDeps, writeAudited } from "./audit";
import {
  assertComponentsExist,
  componentAudit,
  jsonObject,
  type StatusChange,
  statusChangeStatements,
} from "./component-status";
import type { Deps } from "./deps";
import { incidentEffects, type Written, written } from "./effects";
import { enqueueStatements, incidentWebhookStatements } from "./outbox";
import { impactFromStatuses } from "./overall-status";
import { componentsHeldByOtherIncidents, loadIncident } from "./read-model";
import { isClosedIncidentStatus } from "@/db/vocabulary";

/** A column of an incident or maintenance as the batch finds it, for an audit row's `before`. */
export const incidentNow = (id: string, column: SQLiteColumn) =>
  sql`(select ${column} from ${incidents} where ${incidents.id} = ${id})`;

const defaultBodies: Record<UpdateStatus, string> = {
  investigating: "We are investigating this issue.",
  identified: "The issue has been identified and a fix is being implemented.",
  monitoring: "A fix has been implemented and we are monitoring the results.",
  resolved: "This incident has been resolved.",
  postmortem: "A postmortem has been published.",
  scheduled: "This maintenance is scheduled.",
  in_progress: "Scheduled maintenance is currently in progress. We will provide updates as necessary.",
  verifying: "Maintenance is being verified.",
  completed: "The scheduled maintenance has been completed.",
};

export const defaultBody = (status: UpdateStatus) => defaultBodies[status];

function toChanges(components: Record<string, ComponentStatus> | undefined): StatusChange[] {
  return Object.entries(components ?? {}).map(([componentId, status]) => ({ componentId, status }));
}

/** Statements that add one update to an incident or maintenance, change components and link them to it. */
export function updateStatements(
  deps: Deps,
  incidentId: string,
  update: { status: UpdateStatus; body: string; notify: boolean; displayAt: number; changes: StatusChange[] },
): Statement[] {
  const { db } = deps;
  const now = deps.clock();
  const updateId = newId();
  return [
    db.insert(incidentUpdates).values({
      id: updateId,
      incidentId,
      status: update.status,
      body: update.body,
      displayAt: update.displayAt,
      deliverNotifications: update.notify,
      createdAt: now,
      updatedAt: now,
    }),
    ...statusChangeStatements(db, update.changes, now, updateId),
    ...update.changes.map((c) =>
      db.insert(incidentComponents).values({ incidentId, componentId: c.componentId }).onConflictDoNothing(),
    ),
    ...(update.notify ? enqueueStatements(db, incidentId, updateId, now) : []),
    ...(update.notify ? incidentWebhookStatements(db, incidentId, now) : []),
  ];
}

/** Opens an incident with its first update; the affected components change status in the same write. */
export async function openIncident(
  deps: StaffDeps,
  input: IncidentCreate,
  id: string = newId(),
): Promise<Written<IncidentView>> {
  const changes = toChanges(input.components);
  await assertComponentsExist(
    deps.db,
    changes.map((c) => c.componentId),
  );
  const now = deps.clock();
  const startedAt = input.started_at ?? now;
  const status = input.status;
  const row: typeof incidents.$inferInsert = {
    id,
    kind: "incident",
    name: input.name,
    status,
    impact: input.impact ?? impactFromStatuses(changes.map((c) => c.status)),
    startedAt,
    monitoringAt: status === "monitoring" ? now : null,
    resolvedAt: isClosedIncidentStatus(status) ? now : null,
    createdAt: now,
    updatedAt: now,
  };
  const audit = componentAudit(changes);
  const statements = [
    deps.db.insert(incidents).values(row),
    ...updateStatements(deps, id, {
      status,
      body: input.body?.trim() || defaultBody(status),
      notify: input.notify,
      displayAt: startedAt,
      changes,
    }),
  ];
  await writeAudited(
    deps,
    {
      resourceType: "incident",
      resourceId: id,
      action: "create",
      before: audit.before && jsonObject({ components: audit.before }),
      after: { status, impact: row.impact, components: audit.after },
      fields: fieldNames(input),
    },
    statements,
  );
  return written(await loadIncident(deps.db, id), incidentEffects(id));
}

async function getIncidentRow(deps: Deps, id: string, kind: Incident["kind"]): Promise<Incident> {
  const [row] = await deps.db.select().from(incidents).where(eq(incidents.id, id));
  if (!row || row.kind !== kind) throw notFound(kind === "incident" ? "Incident" : "Maintenance", id);
  return row;
}

/**
 * Posts an update. Resolving without naming components returns the incident's components to operational, except
 * those another open incident or active maintenance still holds.
 */
export async function postIncidentUpdate(
  deps: StaffDeps,
  id: string,
  input: IncidentUpdateCreate,
): Promise<Written<IncidentView>> {
  const incident = await getIncidentRow(deps, id, "incident");
  const status = input.status ?? incident.status;
  // Reopening tells every subscriber the outage is back: a retried or stale request must not do it by accident.
  if (isClosedIncidentStatus(incident.status) && !isClosedIncidentStatus(status) && input.reopen !== true) {
    throw new AppError(
      "conflict",
      `This incident is ${incident.status}; an update with status ${status} reopens it: send "reopen": true to reopen it, or open a new incident`,
    );
  }
  let changes = toChanges(input.components);
  await assertComponentsExist(
    deps.db,
    changes.map((c) => c.componentId),
  );
  const resolving = isClosedIncidentStatus(status) && !isClosedIncidentStatus(incident.status);
  if (resolving && input.components === undefined) changes = await restoreChanges(deps, incident.id);
  const now = deps.clock();
  const audit = componentAudit(changes);
  const entry = {
    resourceType: "incident",
    resourceId: id,
    action: resolving ? "resolve" : "post_update",
    before: jsonObject({
      status: incidentNow(id, incidents.status),
      impact: incidentNow(id, incidents.impact),
      components: audit.before,
    }),
    after: { status, impact: input.impact ?? incident.impact, components: audit.after },
    fields: fieldNames(input),
  };
  await writeAudited(deps, entry, [
    ...updateStatements(deps, id, {
      status,
      body: input.body?.trim() || defaultBody(status),
      notify: input.notify,
      displayAt: input.display_at ?? now,
      changes,
    }),
    deps.db
      .update(incidents)
      .set({
        status,
        updatedAt: now,
        ...(input.impact && { impact: input.impact }),
        ...(status === "monitoring" && { monitoringAt: sql`coalesce(${incidents.monitoringAt}, ${now})` }),
        ...(resolving && { resolvedAt: now }),
        ...(!isClosedIncidentStatus(status) && { resolvedAt: null }),
      })
      .where(eq(incidents.id, id)),
  ]);
  return written(await loadIncident(deps.db, id), incidentEffects(id));
}

/** The changes that put an incident's components back to operational, as far as no other event holds them. */
export async function restoreChanges(deps: Deps, incidentId: string): Promise<StatusChange[]> {
  const view = await loadIncident(deps.db, incidentId);
  const held = await componentsHeldByOtherIncidents(deps.db, incidentId);
  return view.components
    .filter((c) => c.status !== "operational" && !held.has(c.id))
    .map((c) => ({ componentId: c.id, status: "operational" as const }));
}

export async function editIncident(deps: StaffDeps, id: string, patch: IncidentPatch): Promise<Written<IncidentView>> {
  const incident = await getIncidentRow(deps, id, "incident");
  const update = deps.db
    .update(incidents)
    .set({ ...patch, updatedAt: deps.clock() })
    .where(eq(incidents.id, id));
  await writeAudited(
    deps,
    {
      resourceType: "incident",
      resourceId: id,
      action: "edit",
      ...(patch.impact !== undefined && {
        before: jsonObject({ impact: incidentNow(id, incidents.impact) }),
        after: { impact: patch.impact },
      }),
      fields: fieldNames(patch),
    },
    [update],
  );
  return written(await loadIncident(deps.db, id), incidentEffects(id));
}

/** Corrects an update's text or display time; the components it changed stay as they are. */
export async function editUpdate(
  deps: StaffDeps,
  incidentId: string,
  updateId: string,
  edit: UpdateEdit,
): Promise<Written<IncidentView>> {
  const [update] = await deps.db.select().from(incidentUpdates).where(eq(incidentUpdates.id, updateId));
  if (!update || update.incidentId !== incidentId) throw notFound("Update", updateId);
  if (edit.body === undefined && edit.display_at === undefined) {
    throw new AppError("validation_failed", "Nothing to change: give body or display_at");
  }
  const now = deps.clock();
  const entry = { resourceType: "incident_update", resourceId: updateId, action: "edit", fields: fieldNames(edit) };
  await writeAudited(deps, entry, [
    deps.db
      .update(incidentUpdates)
      .set({
        ...(edit.body !== undefined && { body: edit.body }),
        ...(edit.display_at !== undefined && { displayAt: edit.display_at }),
        updatedAt: now,
      })
      .where(eq(incidentUpdates.id, updateId)),
    deps.db.update(incidents).set({ updatedAt: now }).where(eq(incidents.id, incidentId)),
  ]);
  return written(await loadIncident(deps.db, incidentId), incidentEffects(incidentId));
}

/** Deletes an incident or maintenance and its timeline. Component statuses are left as they are. */
export async function deleteIncident(deps: StaffDeps, id: string, kind: Incident["kind"]): Promise<Written<Incident>> {
  const row = await getIncidentRow(deps, id, kind);
  await writeAudited(
    deps,
    {
      resourceType: kind,
      resourceId: id,
      action: "delete",
      before: kind === "incident" ? { status: row.status, impact: row.impact } : { status: row.status },
    },
    [deps.db.delete(incidents).where(eq(incidents.id, id))],
  );
  return written(row, { publish: { deleted: [{ id: row.id, startedAt: row.startedAt }] } });
}

export { getIncidentRow };
