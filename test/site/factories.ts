import type {
  GroupView,
  HistoryPageView,
  IncidentPageView,
  IncidentView,
  PageInfo,
  StatusPageView,
  UpdateView,
} from "@/present/views";
import type { Component } from "@/db/schema";

// Hand-made views for rendering pages. Fixed times keep the HTML deterministic: 2026-11-25 15:20 UTC.
export const T0 = Date.UTC(2026, 10, 25, 15, 20);
const MINUTE = 60_000;
let seq = 0;
const nextId = (prefix: string) => `${prefix}${++seq}`;

export function makePage(overrides: Partial<PageInfo> = {}): PageInfo {
  return { id: "page", name: "Tix Status", url: "https://status.example.test", timeZone: "UTC", ...overrides };
}

export function makeComponent(overrides: Partial<Component> = {}): Component {
  return {
    id: nextId("cmp"),
    groupId: null,
    name: "Webtix",
    description: null,
    position: 0,
    status: "operational",
    showcase: false,
    onlyShowIfDegraded: false,
    startDate: null,
    createdAt: T0,
    updatedAt: T0,
    ...overrides,
  };
}

export function makeGroup(overrides: Partial<GroupView> = {}): GroupView {
  return {
    id: nextId("grp"),
    name: "Ticketing servers",
    description: null,
    position: 0,
    createdAt: T0,
    updatedAt: T0,
    status: "operational",
    components: [],
    ...overrides,
  };
}

export function makeUpdate(overrides: Partial<UpdateView> = {}): UpdateView {
  return {
    id: nextId("upd"),
    incidentId: "inc",
    status: "investigating",
    body: "We are looking into it.",
    displayAt: T0,
    deliverNotifications: true,
    createdAt: T0,
    updatedAt: T0,
    affectedComponents: [],
    ...overrides,
  };
}

export function makeIncident(overrides: Partial<IncidentView> = {}): IncidentView {
  return {
    id: nextId("inc"),
    kind: "incident",
    name: "Webtix is down",
    status: "investigating",
    impact: "major",
    startedAt: T0,
    monitoringAt: null,
    resolvedAt: null,
    scheduledFor: null,
    scheduledUntil: null,
    autoTransition: false,
    createdAt: T0,
    updatedAt: T0,
    updates: [makeUpdate()],
    components: [],
    ...overrides,
  };
}

export function makeMaintenance(overrides: Partial<IncidentView> = {}): IncidentView {
  return makeIncident({
    kind: "maintenance",
    name: "Database upgrade",
    status: "scheduled",
    impact: "maintenance",
    scheduledFor: T0 + 60 * MINUTE,
    scheduledUntil: T0 + 120 * MINUTE,
    updates: [makeUpdate({ status: "scheduled", body: "We will upgrade the database." })],
    ...overrides,
  });
}

export function makeStatusPageView(overrides: Partial<StatusPageView> = {}): StatusPageView {
  return {
    page: makePage(),
    overall: { indicator: "none", description: "All Systems Operational" },
    layout: [],
    openIncidents: [],
    activeMaintenances: [],
    upcomingMaintenances: [],
    recentDays: [],
    ...overrides,
  };
}

export function makeIncidentPageView(overrides: Partial<IncidentPageView> = {}): IncidentPageView {
  return { page: makePage(), incident: makeIncident(), ...overrides };
}

export function makeHistoryPageView(overrides: Partial<HistoryPageView> = {}): HistoryPageView {
  return { page: makePage(), pageNumber: null, months: [], newerHref: null, olderHref: null, ...overrides };
}
