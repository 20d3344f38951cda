// Hand-built views for pages, feeds, JSON and emails: no database, every row made by the test that uses it.
import type { Component } from "@/db/schema";
import type { GroupView, IncidentView, PageInfo, SiteSnapshot, UpdateView } from "@/present/views";
import { deriveOverallStatus } from "@/api/services/overall-status";

let counter = 0;
/** A fresh 12-character lowercase id, like Statuspage's. */
export const newId = () => `t${(++counter).toString(36).padStart(11, "0")}`;

export const at = (iso: string) => Date.parse(iso);

export function makePage(overrides: Partial<PageInfo> = {}): PageInfo {
  return { id: "pagecode0001", name: "Tix", url: "https://status.example.com", timeZone: "Etc/UTC", ...overrides };
}

export function makeComponent(overrides: Partial<Component> = {}): Component {
  return {
    id: newId(),
    groupId: null,
    name: "tix1",
    description: null,
    position: 1,
    status: "operational",
    showcase: false,
    onlyShowIfDegraded: false,
    startDate: null,
    createdAt: at("2026-01-01T00:00:00.000Z"),
    updatedAt: at("2026-01-02T00:00:00.000Z"),
    ...overrides,
  };
}

/** A group whose members are made from the given overrides and carry its id. */
export function makeGroup(overrides: Partial<GroupView> = {}, members: Partial<Component>[] = []): GroupView {
  const id = overrides.id ?? newId();
  const components = members.map((m, k) => makeComponent({ position: k + 1, ...m, groupId: id }));
  return {
    id,
    name: "Ticketing servers",
    description: null,
    position: 1,
    createdAt: at("2026-01-01T00:00:00.000Z"),
    updatedAt: at("2026-01-02T00:00:00.000Z"),
    status: "operational",
    components,
    ...overrides,
  };
}

export function makeUpdate(overrides: Partial<UpdateView> = {}): UpdateView {
  const displayAt = overrides.displayAt ?? at("2026-11-25T15:20:00.000Z");
  return {
    id: newId(),
    incidentId: "unset",
    status: "investigating",
    body: "We are looking into it.",
    displayAt,
    deliverNotifications: true,
    createdAt: displayAt,
    updatedAt: displayAt,
    affectedComponents: [],
    ...overrides,
  };
}

/**
 * An incident with its updates given oldest first, as staff post them; the view holds them newest first. Updates
 * given whole in `overrides.updates` (newest first, as the view holds them) are taken as they are.
 */
export function makeIncident(
  overrides: Partial<IncidentView> = {},
  oldestFirst: Partial<UpdateView>[] = [{}],
): IncidentView {
  const id = overrides.id ?? newId();
  const updates = overrides.updates ?? oldestFirst.map((u) => makeUpdate({ ...u, incidentId: id })).reverse();
  return {
    id,
    kind: "incident",
    name: "tix1 is down",
    status: updates[0]?.status ?? "investigating",
    impact: "major",
    startedAt: at("2026-11-25T15:00:00.000Z"),
    monitoringAt: null,
    resolvedAt: null,
    scheduledFor: null,
    scheduledUntil: null,
    autoTransition: false,
    createdAt: at("2026-11-25T15:00:00.000Z"),
    updatedAt: updates[0]?.updatedAt ?? at("2026-11-25T15:00:00.000Z"),
    components: [],
    ...overrides,
    updates,
  };
}

export function makeMaintenance(
  overrides: Partial<IncidentView> = {},
  oldestFirst: Partial<UpdateView>[] = [{ status: "scheduled" }],
) {
  return makeIncident(
    {
      kind: "maintenance",
      name: "Database upgrade",
      impact: "maintenance",
      scheduledFor: at("2026-12-01T13:00:00.000Z"),
      scheduledUntil: at("2026-12-01T15:00:00.000Z"),
      ...overrides,
    },
    oldestFirst,
  );
}

/** A snapshot whose layout holds the given groups and ungrouped components, in that order. */
export function makeSnapshot(
  overrides: Partial<SiteSnapshot> = {},
  tree: { groups?: GroupView[]; components?: Component[] } = {},
): SiteSnapshot {
  const groups = tree.groups ?? [];
  const ungrouped = tree.components ?? [];
  const leaves = [...groups.flatMap((g) => g.components), ...ungrouped];
  return {
    page: makePage(),
    updatedAt: at("2026-11-25T15:50:05.892Z"),
    overall: deriveOverallStatus(leaves.map((c) => c.status)),
    groups,
    components: leaves,
    layout: [
      ...groups.map((group) => ({ type: "group" as const, group })),
      ...ungrouped.map((component) => ({ type: "component" as const, component })),
    ],
    unresolvedIncidents: [],
    recentIncidents: [],
    recentMaintenances: [],
    upcomingMaintenances: [],
    activeMaintenances: [],
    feedItems: [],
    recentDays: [],
    uptime: {},
    responseTimes: {},
    ...overrides,
  };
}
