import type { HistoryPageView, IncidentPageView, StatusPageView } from "@/present/views";
import { at, makeIncident, makePage } from "@/test/support/views";

export { makeComponent, makeGroup, makeIncident, makeMaintenance, makePage, makeUpdate } from "@/test/support/views";

/** The time the shared factories' updates are shown at: 2026-11-25 15:20 UTC. */
export const T0 = at("2026-11-25T15:20:00.000Z");

// The page views Astro renders, made from the shared view factories.

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
