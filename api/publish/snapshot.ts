import { max } from "drizzle-orm";
import type { Db } from "@/db/client";
import { componentGroups, components, incidents, pageSettings } from "@/db/schema";
import { deriveOverallStatus } from "@/api/services/overall-status";
import {
  loadComponentTree,
  loadIncidentViews,
  loadMaintenancesIn,
  loadPage,
  loadRecent,
  loadRecentlyUpdated,
  loadUnresolvedIncidents,
} from "@/api/services/read-model";
import { loadNewestPerRange } from "@/api/services/history-read-model";
import { loadUptime } from "@/api/services/uptime";
import { loadResponseTimes } from "@/api/services/response-times";
import { dayRange, lastDays } from "@/present/calendar";
import { moreLink } from "./history";
import type { SiteSnapshot } from "@/present/views";
import { activeMaintenanceStatuses, upcomingMaintenanceStatuses } from "@/db/vocabulary";

export const recentDayCount = 15;
/** The front page lists at most this many incidents a day, then links to the history for the rest. */
export const recentDayLimit = 5;

/** Everything the page-wide documents show. Its cost depends on what is current, not on the history's length. */
export async function loadSnapshot(db: Db, now: number, siteUrl?: string): Promise<SiteSnapshot> {
  const page = await loadPage(db, siteUrl);
  const tree = await loadComponentTree(db);
  const days = lastDays(now, recentDayCount, page.timeZone);
  const ranges = days.map((day, i): [number, number] =>
    i === 0 ? [dayRange(day, page.timeZone)[0], now + 1] : dayRange(day, page.timeZone),
  );
  const recent = await loadNewestPerRange(db, ranges, recentDayLimit + 1);
  const shown = await loadIncidentViews(
    db,
    recent.flatMap((r) => r.incidents.slice(0, recentDayLimit)),
  );
  const viewOf = new Map(shown.map((v) => [v.id, v]));
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
    recentDays: await Promise.all(
      days.map(async (day, i) => {
        const { incidents: newest, count } = recent[i]!;
        const incidents = newest.slice(0, recentDayLimit).map((r) => viewOf.get(r.id)!);
        return {
          day,
          incidents,
          more: await moreLink(db, page.timeZone, count, incidents.length, newest[recentDayLimit]),
        };
      }),
    ),
    uptime: await loadUptime(db, tree.components, now, page.timeZone),
    responseTimes: await loadResponseTimes(db, now),
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
