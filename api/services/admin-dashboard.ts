import { count } from "drizzle-orm";
import { subscribers, subscriberStatuses, type UpdateStatus, updateStatuses } from "@/db/schema";
import type { AdminDashboard, SubscriberStatus } from "@/present/admin-views";
import type { Deps } from "./deps";
import { defaultBody } from "./incidents";
import { loadComponentTree, loadMaintenancesIn, loadPage, loadUnresolvedIncidents } from "./read-model";
import { deliveryProgress } from "./subscribers";
import { openMaintenanceStatuses } from "@/db/vocabulary";

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
