import { and, asc, desc, eq, gte, inArray, lt, ne, notInArray, or, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import {
  type Component,
  componentGroups,
  components,
  type Incident,
  incidentComponents,
  incidents,
  incidentUpdateComponents,
  incidentUpdates,
  pageSettings,
  unresolvedIncidentStatuses,
} from "@/db/schema";
import { activeMaintenanceStatuses, closedIncidentStatuses, idsPerStatement } from "@/db/vocabulary";
import type { GroupView, IncidentView, LayoutRow, PageInfo, UpdateView } from "@/present/views";
import { notFound } from "@/api/errors";
import { worstStatus } from "./overall-status";

/** Runs a query per slice of ids, within D1's limit of bound parameters per statement. */
export async function inSlices<T>(ids: readonly string[], query: (slice: string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += idsPerStatement) out.push(...(await query(ids.slice(i, i + idsPerStatement))));
  return out;
}

export async function loadPage(db: Db, siteUrl?: string): Promise<PageInfo> {
  const [row] = await db.select().from(pageSettings);
  if (!row) throw new Error("The page settings row is missing: the database was not seeded");
  return { id: row.code, name: row.name, url: siteUrl ?? row.url, timeZone: row.timeZone };
}

/** Incidents with their updates (newest first), each update's component changes, and the affected components. */
export async function loadIncidentViews(db: Db, rows: readonly Incident[]): Promise<IncidentView[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.id);
  const updates = await inSlices(ids, (s) =>
    db
      .select()
      .from(incidentUpdates)
      .where(inArray(incidentUpdates.incidentId, s))
      .orderBy(desc(incidentUpdates.displayAt), desc(incidentUpdates.createdAt), desc(sql`${incidentUpdates}.rowid`)),
  );
  const changes = await inSlices(
    updates.map((u) => u.id),
    (s) => db.select().from(incidentUpdateComponents).where(inArray(incidentUpdateComponents.updateId, s)),
  );
  const affected = await inSlices(ids, (s) =>
    db
      .select({ incidentId: incidentComponents.incidentId, component: components })
      .from(incidentComponents)
      .innerJoin(components, eq(components.id, incidentComponents.componentId))
      .where(inArray(incidentComponents.incidentId, s))
      .orderBy(asc(components.position), asc(components.name)),
  );
  const changesByUpdate = groupBy(changes, (c) => c.updateId);
  const updatesByIncident = groupBy(
    updates.map((u): UpdateView => ({ ...u, affectedComponents: changesByUpdate.get(u.id) ?? [] })),
    (u) => u.incidentId,
  );
  const componentsByIncident = groupBy(affected, (a) => a.incidentId);
  return rows.map((row) => ({
    ...row,
    updates: updatesByIncident.get(row.id) ?? [],
    components: (componentsByIncident.get(row.id) ?? []).map((a) => a.component),
  }));
}

export async function loadIncident(db: Db, id: string): Promise<IncidentView> {
  const [row] = await db.select().from(incidents).where(eq(incidents.id, id));
  if (!row) throw notFound("Incident", id);
  const [view] = await loadIncidentViews(db, [row]);
  return view!;
}

const newestFirst = [desc(incidents.startedAt), desc(incidents.createdAt)];

export async function loadRecent(db: Db, kind: Incident["kind"], limit: number): Promise<IncidentView[]> {
  const order = kind === "maintenance" ? [desc(incidents.scheduledFor), ...newestFirst] : newestFirst;
  const rows = await db
    .select()
    .from(incidents)
    .where(eq(incidents.kind, kind))
    .orderBy(...order)
    .limit(limit);
  return loadIncidentViews(db, rows);
}

export async function loadUnresolvedIncidents(db: Db): Promise<IncidentView[]> {
  const rows = await db
    .select()
    .from(incidents)
    .where(and(eq(incidents.kind, "incident"), inArray(incidents.status, [...unresolvedIncidentStatuses])))
    .orderBy(...newestFirst);
  return loadIncidentViews(db, rows);
}

export async function loadMaintenancesIn(db: Db, statuses: Incident["status"][]): Promise<IncidentView[]> {
  const rows = await db
    .select()
    .from(incidents)
    .where(and(eq(incidents.kind, "maintenance"), inArray(incidents.status, statuses)))
    .orderBy(asc(incidents.scheduledFor));
  return loadIncidentViews(db, rows);
}

/** Incidents and maintenances that started in [from, to), newest first. */
export async function loadStartedBetween(db: Db, from: number, to: number): Promise<IncidentView[]> {
  const rows = await db
    .select()
    .from(incidents)
    .where(and(gte(incidents.startedAt, from), lt(incidents.startedAt, to)))
    .orderBy(...newestFirst);
  return loadIncidentViews(db, rows);
}

export async function loadRecentlyUpdated(db: Db, limit: number): Promise<IncidentView[]> {
  const rows = await db.select().from(incidents).orderBy(desc(incidents.updatedAt)).limit(limit);
  return loadIncidentViews(db, rows);
}

export async function loadOldestStart(db: Db): Promise<number | null> {
  const [row] = await db.select({ t: sql<number | null>`min(${incidents.startedAt})` }).from(incidents);
  return row?.t ?? null;
}

/** Groups with their members and worst status, leaf components, and the top-level display order. */
export async function loadComponentTree(db: Db) {
  const groups = await db
    .select()
    .from(componentGroups)
    .orderBy(asc(componentGroups.position), asc(componentGroups.name));
  const leaves = await db.select().from(components).orderBy(asc(components.position), asc(components.name));
  const groupViews: GroupView[] = groups.map((g) => {
    const members = leaves.filter((c) => c.groupId === g.id);
    return { ...g, components: members, status: worstStatus(members.map((m) => m.status)) };
  });
  const layout: LayoutRow[] = [
    ...groupViews.map((group) => ({ type: "group" as const, group, position: group.position, name: group.name })),
    ...leaves
      .filter((c) => c.groupId === null)
      .map((component) => ({
        type: "component" as const,
        component,
        position: component.position,
        name: component.name,
      })),
  ]
    .sort((a, b) => a.position - b.position || a.name.localeCompare(b.name))
    .map(({ position: _p, name: _n, ...row }) => row as LayoutRow);
  const groupOrder = new Map(groups.map((g) => [g.id, g.position]));
  const sortedLeaves: Component[] = [...leaves].sort(
    (a, b) =>
      (a.groupId ? groupOrder.get(a.groupId)! : a.position) - (b.groupId ? groupOrder.get(b.groupId)! : b.position) ||
      a.position - b.position,
  );
  return { groups: groupViews, components: sortedLeaves, layout };
}

/** Components affected by an unresolved incident other than `exceptIncidentId`. */
export async function componentsHeldByOtherIncidents(db: Db, exceptIncidentId: string): Promise<Set<string>> {
  const rows = await db
    .selectDistinct({ id: incidentComponents.componentId })
    .from(incidentComponents)
    .innerJoin(incidents, eq(incidents.id, incidentComponents.incidentId))
    .where(
      and(
        ne(incidents.id, exceptIncidentId),
        or(
          and(eq(incidents.kind, "incident"), notInArray(incidents.status, [...closedIncidentStatuses])),
          and(eq(incidents.kind, "maintenance"), inArray(incidents.status, [...activeMaintenanceStatuses])),
        ),
      ),
    );
  return new Set(rows.map((r) => r.id));
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = map.get(k);
    if (list) list.push(item);
    else map.set(k, [item]);
  }
  return map;
}
