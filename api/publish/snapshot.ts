import { max } from "drizzle-orm";
import type { Db } from "@/db/client";
import { componentGroups, components, incidents, pageSettings } from "@/db/schema";
import { deriveOverallStatus } from "@/api/services/overall-status";
import {
  loadComponentTree,
  loadMaintenancesIn,
  loadPage,
  loadRecent,
  loadRecentlyUpdated,
  loadStartedBetween,
  loadUnresolvedIncidents,
} from "@/api/services/read-model";
import { loadUptime } from "@/api/services/uptime";
import { dayKey, dayRange, lastDays } from "./calendar";
import type { SiteSnapshot } from "./views";
import { activeMaintenanceStatuses, upcomingMaintenanceStatuses } from "@/db/vocabulary";

export const recentDayCount = 15;

/** Everything the page-wide documents show. Its cost depends on what is current, not on the history's length. */
export async function loadSnapshot(db: Db, now: number, siteUrl?: string): Promise<SiteSnapshot> {
  const page = await loadPage(db, siteUrl);
  const tree = await loadComponentTree(db);
  const days = lastDays(now, recentDayCount, page.timeZone);
  const [from] = dayRange(days.at(-1)!, page.timeZone);
  const recent = await loadStartedBetween(db, from, now + 1);
  const activeMaintenances = await loadMaintenancesIn(db, [...activeMaintenanceStatuses]);
  const upcomingMaintenances = await loadMaintenancesIn(db, [...upcomingMaintenanceStatuses]);
  return {
    page,
    updatedAt: await lastChange(db),
    overall: deriveOverallStatus(tree.components.map((c) => c.status)),
    ...tree,
    unresolvedIncidents: await loadUnresolvedIncidents(db),
    recentIncidents: await loadRecent(db, "incident", 50),
    recentMaintenances: await loadRecent(db, "maintenance", 50),
    upcomingMaintenances,
    activeMaintenances,
    feedItems: await loadRecentlyUpdated(db, 25),
    recentDays: days.map((day) => ({
      day,
      incidents: recent.filter((i) => i.kind === "incident" && dayKey(i.startedAt, page.timeZone) === day),
    })),
    uptime: await loadUptime(db, tree.components, now, page.timeZone),
  };
}

/** The latest change to anything the page shows: deterministic, so the same data gives the same documents. */
async function lastChange(db: Db): Promise<number> {
  const [a] = await db.select({ t: max(incidents.updatedAt) }).from(incidents);
  const [b] = await db.select({ t: max(components.updatedAt) }).from(components);
  const [c] = await db.select({ t: max(componentGroups.updatedAt) }).from(componentGroups);
  const [d] = await db.select({ t: max(pageSettings.updatedAt) }).from(pageSettings);
  return Math.max(a?.t ?? 0, b?.t ?? 0, c?.t ?? 0, d?.t ?? 0);
}
