import { count } from "drizzle-orm";
import { subscribers, subscriberStatuses, type UpdateStatus, updateStatuses } from "@/db/schema";
import type { AdminDashboard, SubscriberStatus } from "@/present/admin-views";
import { backupHealth } from "./backups";
import type { Deps } from "./deps";
import { defaultBody } from "./incidents";
import { loadComponentTree, loadMaintenancesIn, loadPage, loadUnresolvedIncidents } from "./read-model";
import { deliveryProgress } from "./subscribers";
import { loadSeriesIds } from "./maintenance-series";
import { openMaintenanceStatuses } from "@/db/vocabulary";

const day = 86_400_000;

export async function loadAdminDashboard(
  deps: Deps,
  siteUrl?: string,
  backupIntervalMs = day,
): Promise<AdminDashboard> {
  const [page, tree, incidents, maintenances, counts, progress, backup] = await Promise.all([
    loadPage(deps.db, siteUrl),
    loadComponentTree(deps.db),
    loadUnresolvedIncidents(deps.db),
    loadMaintenancesIn(deps.db, [...openMaintenanceStatuses]),
    deps.db.select({ status: subscribers.status, n: count() }).from(subscribers).groupBy(subscribers.status),
    deliveryProgress(deps, 1),
    backupHealth(deps, backupIntervalMs),
  ]);
  const groupName = new Map(tree.groups.map((g) => [g.id, g.name]));
  const byStatus = Object.fromEntries(subscriberStatuses.map((s) => [s, 0])) as Record<SubscriberStatus, number>;
  for (const row of counts) byStatus[row.status] = row.n;
  return {
    page,
    components: tree.components.map((c) => ({ ...c, group: c.groupId ? (groupName.get(c.groupId) ?? null) : null })),
    incidents,
    maintenances,
    seriesOf: Object.fromEntries(
      await loadSeriesIds(
        deps.db,
        maintenances.map((m) => m.id),
        true,
      ),
    ),
    subscribers: byStatus,
    lastNotification: progress[0] ?? null,
    backup: {
      takenAt: backup.last?.takenAt ?? null,
      file: backup.last?.file.split("/").pop() ?? null,
      ok: backup.last?.ok ?? false,
      bad: backup.bad,
      reason: backup.reason,
    },
    templates: Object.fromEntries(updateStatuses.map((s) => [s, defaultBody(s)])) as Record<UpdateStatus, string>,
    now: deps.clock(),
  };
}
