import { count } from "drizzle-orm";
import { type Component, subscribers, subscriberStatuses, type UpdateStatus, updateStatuses } from "@/db/schema";
import type { IncidentView, PageInfo } from "@/api/publish/views";
import type { Deps } from "./deps";
import { defaultBody } from "./incidents";
import { loadComponentTree, loadMaintenancesIn, loadPage, loadUnresolvedIncidents } from "./read-model";
import { deliveryProgress } from "./subscribers";
import { openMaintenanceStatuses } from "@/db/vocabulary";

type SubscriberStatus = (typeof subscriberStatuses)[number];

/** What the staff console's dashboard shows; the page renders it and fetches nothing. */
export type AdminDashboard = {
  page: PageInfo;
  components: (Component & { group: string | null })[];
  incidents: IncidentView[];
  maintenances: IncidentView[];
  subscribers: Record<SubscriberStatus, number>;
  lastNotification: Awaited<ReturnType<typeof deliveryProgress>>[number] | null;
  /** The template body of each status, to start the staff's text from. */
  templates: Record<UpdateStatus, string>;
  /** The clock's reading, so that the page shows default times without reading a clock itself. */
  now: number;
};

export async function loadAdminDashboard(deps: Deps, siteUrl?: string): Promise<AdminDashboard> {
  const [page, tree, incidents, maintenances, counts, progress] = await Promise.all([
    loadPage(deps.db, siteUrl),
    loadComponentTree(deps.db),
    loadUnresolvedIncidents(deps.db),
    loadMaintenancesIn(deps.db, [...openMaintenanceStatuses]),
    deps.db.select({ status: subscribers.status, n: count() }).from(subscribers).groupBy(subscribers.status),
    deliveryProgress(deps, 1),
  ]);
  const groupName = new Map(tree.groups.map((g) => [g.id, g.name]));
  const byStatus = Object.fromEntries(subscriberStatuses.map((s) => [s, 0])) as Record<SubscriberStatus, number>;
  for (const row of counts) byStatus[row.status] = row.n;
  return {
    page,
    components: tree.components.map((c) => ({ ...c, group: c.groupId ? (groupName.get(c.groupId) ?? null) : null })),
    incidents,
    maintenances,
    subscribers: byStatus,
    lastNotification: progress[0] ?? null,
    templates: Object.fromEntries(updateStatuses.map((s) => [s, defaultBody(s)])) as Record<UpdateStatus, string>,
    now: deps.clock(),
  };
}

/** The dashboard as the console page receives it. */
export type AdminConsoleView = AdminDashboard & {
  csrf: string;
  flash: string | null;
  /** A refused form: which one, why, and what was typed into it. */
  error: { form: string; message: string; values: Record<string, string[]> } | null;
};

export type AdminNoticeView = { page: PageInfo; title: string; message: string; csrf?: string | null };
export type AdminLoginView = { page: PageInfo; message: string | null };
