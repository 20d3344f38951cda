// Statuspage v2-compatible JSON documents (reference/statuspage-v2.md §1). Keys are emitted in Statuspage's order,
// every array is present (never null) and tweet_id is always null, because existing clients decode these bytes.
import type { Component } from "@/db/schema";
import { activeMaintenanceStatuses, unresolvedIncidentStatuses, upcomingMaintenanceStatuses } from "@/db/vocabulary";
import { timelineUpdates } from "./postmortem";
import { isoInZone } from "./time";
import type { GroupView, IncidentView, PageInfo, SiteSnapshot, UpdateView } from "./views";

const at = (ms: number, page: PageInfo) => isoInZone(ms, page.timeZone);
const atOrNull = (ms: number | null, page: PageInfo) => (ms === null ? null : at(ms, page));

export function presentPage(snapshot: SiteSnapshot) {
  const { page } = snapshot;
  return {
    id: page.id,
    name: page.name,
    url: page.url,
    time_zone: page.timeZone,
    updated_at: at(snapshot.updatedAt, page),
  };
}

/** A leaf component row (§1.3). Leaf rows have no `components` key. */
export function presentComponent(c: Component, page: PageInfo) {
  return {
    id: c.id,
    name: c.name,
    status: c.status,
    created_at: at(c.createdAt, page),
    updated_at: at(c.updatedAt, page),
    position: c.position,
    description: c.description,
    showcase: c.showcase,
    start_date: c.startDate,
    group_id: c.groupId,
    page_id: page.id,
    group: false,
    only_show_if_degraded: c.onlyShowIfDegraded,
  };
}

/** A group row (§1.3): the same keys as a leaf, then `components` with the member ids. */
export function presentGroup(g: GroupView, page: PageInfo) {
  return {
    id: g.id,
    name: g.name,
    status: g.status,
    created_at: at(g.createdAt, page),
    updated_at: at(g.updatedAt, page),
    position: g.position,
    description: g.description,
    showcase: false,
    start_date: null,
    group_id: null,
    page_id: page.id,
    group: true,
    only_show_if_degraded: false,
    components: g.components.map((c) => c.id),
  };
}

/**
 * Groups and leaves in one list sorted by `position`, which counts within each parent, so groups interleave with
 * other groups' members as on Statuspage (H in §1.3). Equal positions keep the page's display order (stable sort).
 */
export function presentComponents(snapshot: SiteSnapshot) {
  const { page } = snapshot;
  const rows = snapshot.layout.flatMap((row) =>
    row.type === "group"
      ? [presentGroup(row.group, page), ...row.group.components.map((c) => presentComponent(c, page))]
      : [presentComponent(row.component, page)],
  );
  return rows.sort((a, b) => a.position - b.position);
}

function presentUpdate(u: UpdateView, page: PageInfo) {
  return {
    id: u.id,
    status: u.status,
    body: u.body,
    incident_id: u.incidentId,
    created_at: at(u.createdAt, page),
    updated_at: at(u.updatedAt, page),
    display_at: at(u.displayAt, page),
    affected_components: u.affectedComponents.map((a) => ({
      code: a.componentId,
      name: a.name,
      old_status: a.oldStatus,
      new_status: a.newStatus,
    })),
    deliver_notifications: u.deliverNotifications,
    custom_tweet: null,
    // Always null: Go clients decode it as int64, TypeScript ones as string | null (§1.5).
    tweet_id: null,
  };
}

/** An incident (§1.4), or for a maintenance the same keys plus `scheduled_for` and `scheduled_until` (§1.6). */
export function presentIncident(i: IncidentView, page: PageInfo) {
  const incident = {
    id: i.id,
    name: i.name,
    status: i.status,
    created_at: at(i.createdAt, page),
    updated_at: at(i.updatedAt, page),
    monitoring_at: atOrNull(i.monitoringAt, page),
    resolved_at: atOrNull(i.resolvedAt, page),
    impact: i.impact,
    shortlink: `${page.url}/incidents/${i.id}`,
    started_at: at(i.startedAt, page),
    page_id: page.id,
    // A postmortem is not one of Statuspage's incident_updates (present/postmortem.ts); the status says it exists.
    incident_updates: timelineUpdates(i).map((u) => presentUpdate(u, page)),
    components: i.components.map((c) => presentComponent(c, page)),
  };
  if (i.kind !== "maintenance") return incident;
  return {
    ...incident,
    scheduled_for: atOrNull(i.scheduledFor, page),
    scheduled_until: atOrNull(i.scheduledUntil, page),
  };
}

// The lists below are filtered by status although the loader already selects them, so unresolved.json,
// upcoming.json and active.json hold exactly what their names promise (§1 table, §3.7 item 7).
const unresolved: readonly string[] = unresolvedIncidentStatuses;
const upcoming: readonly string[] = upcomingMaintenanceStatuses;
const active: readonly string[] = activeMaintenanceStatuses;

/** Every Statuspage v2 document of the page, keyed by the path it is served at. */
export function statuspageDocuments(snapshot: SiteSnapshot): Record<string, unknown> {
  const { page } = snapshot;
  const list = (items: IncidentView[], statuses?: readonly string[]) =>
    items.filter((i) => !statuses || statuses.includes(i.status)).map((i) => presentIncident(i, page));
  const pageObject = presentPage(snapshot);
  const status = { indicator: snapshot.overall.indicator, description: snapshot.overall.description };
  const components = presentComponents(snapshot);
  const incidents = list(snapshot.unresolvedIncidents, unresolved);
  const upcomingList = list(snapshot.upcomingMaintenances, upcoming);
  const activeList = list(snapshot.activeMaintenances, active);
  return {
    "/api/v2/summary.json": {
      page: pageObject,
      components,
      incidents,
      // What is under way first, then what is coming: both in order of scheduled start.
      scheduled_maintenances: [...activeList, ...upcomingList],
      status,
    },
    "/api/v2/status.json": { page: pageObject, status },
    "/api/v2/components.json": { page: pageObject, components },
    "/api/v2/incidents.json": { page: pageObject, incidents: list(snapshot.recentIncidents) },
    "/api/v2/incidents/unresolved.json": { page: pageObject, incidents },
    "/api/v2/scheduled-maintenances.json": {
      page: pageObject,
      scheduled_maintenances: list(snapshot.recentMaintenances),
    },
    "/api/v2/scheduled-maintenances/upcoming.json": { page: pageObject, scheduled_maintenances: upcomingList },
    "/api/v2/scheduled-maintenances/active.json": { page: pageObject, scheduled_maintenances: activeList },
  };
}
