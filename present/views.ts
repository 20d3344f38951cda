import type {
  Component,
  ComponentGroup,
  ComponentStatus,
  Incident,
  IncidentUpdate,
  IncidentUpdateComponent,
} from "@/db/schema";

/** The data each published page is rendered from. Astro pages receive these as `Astro.locals` and fetch nothing. */

/** Statuspage's page indicator and its description ("All Systems Operational"). */
export type Indicator = "none" | "minor" | "major" | "critical" | "maintenance";
export type OverallStatus = { indicator: Indicator; description: string };

/** One day of one component. `worst` is null when nothing was tracked that day (before the component existed). */
export type DayUptime = { day: string; worst: ComponentStatus | null; seconds: Record<ComponentStatus, number> };
export type ComponentUptime = { percent: number; days: DayUptime[] };

export type PageInfo = { id: string; name: string; url: string; timeZone: string };

export type UpdateView = IncidentUpdate & { affectedComponents: IncidentUpdateComponent[] };

/** An incident or maintenance with its updates (newest first) and the components it affects. */
export type IncidentView = Incident & { updates: UpdateView[]; components: Component[] };

export type GroupView = ComponentGroup & { status: ComponentStatus; components: Component[] };

/** Top-level rows of the page in display order: groups and ungrouped components share one position space. */
export type LayoutRow = { type: "group"; group: GroupView } | { type: "component"; component: Component };

export type StatusPageView = {
  page: PageInfo;
  overall: OverallStatus;
  layout: LayoutRow[];
  openIncidents: IncidentView[];
  activeMaintenances: IncidentView[];
  upcomingMaintenances: IncidentView[];
  /**
   * The last days in the page's time zone, newest first, each with the newest incidents that started that day (a
   * few at most) and, when there were more, a link to where the history lists the rest.
   */
  recentDays: { day: string; incidents: IncidentView[]; more?: MoreLink | null }[];
  /** Each leaf component's last 90 days, by component id; a component without an entry shows no bar. */
  uptime?: Record<string, ComponentUptime>;
  /** Response times of the monitors staff chose to show, by component id. */
  responseTimes?: Record<string, ResponseTimes>;
  /** Set when rendering a mirror's copy: its subscribe form posts to the live page, or is left out without one. */
  mirror?: { liveUrl: string | null };
};

export type IncidentPageView = { page: PageInfo; incident: IncidentView };

/** "and 37 more": how many incidents a list leaves out, and the history page where the first of them is. */
export type MoreLink = { count: number; href: string };

/**
 * One page of history: months (YYYY-MM, page time zone), newest first, each with incidents newest first, and what a
 * capped month leaves out. Links are site paths or null; `pageNumber` is set when a month has several pages.
 */
export type HistoryPageView = {
  page: PageInfo;
  pageNumber: number | null;
  months: { month: string; incidents: Incident[]; more?: MoreLink | null }[];
  newerHref: string | null;
  olderHref: string | null;
};

/** Everything the page-wide documents need, loaded once per publish; bounded whatever the history's size. */
export type SiteSnapshot = {
  page: PageInfo;
  /** When anything on the page last changed (UTC ms): the `page.updated_at` of the JSON and the feeds' date. */
  updatedAt: number;
  overall: OverallStatus;
  groups: GroupView[];
  /** Every leaf component, sorted by group position then position. */
  components: Component[];
  layout: LayoutRow[];
  unresolvedIncidents: IncidentView[];
  /** The 50 newest incidents (not maintenances), any status, newest first. */
  recentIncidents: IncidentView[];
  /** The 50 newest maintenances, any status, newest first by scheduled start. */
  recentMaintenances: IncidentView[];
  upcomingMaintenances: IncidentView[];
  activeMaintenances: IncidentView[];
  /** The 25 most recently updated incidents and maintenances, for the feeds. */
  feedItems: IncidentView[];
  recentDays: StatusPageView["recentDays"];
  uptime: Record<string, ComponentUptime>;
  responseTimes: Record<string, ResponseTimes>;
};

/** A monitor's last 24 complete hours: each hour's mean response time (null: no answer measured), oldest first. */
export type ResponseTimes = { hours: (number | null)[]; lastHour: number; mean: number | null; max: number | null };
