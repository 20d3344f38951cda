import { and, asc, gte, inArray } from "drizzle-orm";
import type { Db } from "@/db/client";
import { type Component, type ComponentStatus, componentStatusChanges, componentStatuses } from "@/db/schema";
import { dayRange, lastDays } from "@/present/calendar";
import { uptimePercent } from "@/present/uptime";
import type { ComponentUptime, DayUptime } from "@/present/views";
import { worstStatus } from "./overall-status";
import { inSlices } from "./read-model";

export const uptimeDayCount = 90;

export type StatusChangeRow = Pick<typeof componentStatusChanges.$inferSelect, "oldStatus" | "newStatus" | "changedAt">;

const zeroSeconds = () => Object.fromEntries(componentStatuses.map((s) => [s, 0])) as Record<ComponentStatus, number>;

/**
 * Time spent in each status per day (uptime is time under each state, not a count of checks). `changes` are this
 * component's changes from the window's start on, in any order; the status before the first of them is its
 * `oldStatus`. `days` are day keys in `timeZone`, newest first; the result keeps their order.
 */
export function dailyUptime(
  changes: readonly StatusChangeRow[],
  currentStatus: ComponentStatus,
  createdAt: number,
  days: readonly string[],
  timeZone: string,
  now: number,
): DayUptime[] {
  const sorted = [...changes].sort((a, b) => a.changedAt - b.changedAt);
  // Intervals [from, to) under one status, from the beginning of time to now.
  const intervals: { from: number; to: number; status: ComponentStatus }[] = [];
  let from = -Infinity;
  let status = sorted[0]?.oldStatus ?? currentStatus;
  for (const change of sorted) {
    intervals.push({ from, to: change.changedAt, status });
    from = change.changedAt;
    status = change.newStatus;
  }
  intervals.push({ from, to: now, status });

  return days.map((day) => {
    const [dayStart, dayEnd] = dayRange(day, timeZone);
    const start = Math.max(dayStart, createdAt);
    const end = Math.min(dayEnd, now);
    const seconds = zeroSeconds();
    for (const i of intervals) {
      const overlap = Math.min(end, i.to) - Math.max(start, i.from);
      if (overlap > 0) seconds[i.status] += overlap / 1000;
    }
    const seen = componentStatuses.filter((s) => seconds[s] > 0);
    return { day, worst: seen.length > 0 ? worstStatus(seen) : null, seconds };
  });
}

/**
 * The last 90 days of each component, by component id. The components carry their current status and creation
 * time, so one query of status changes per 90 components is all it costs (D1 binds at most 100 parameters:
 * https://developers.cloudflare.com/d1/platform/limits/).
 */
export async function loadUptime(
  db: Db,
  components: readonly Pick<Component, "id" | "status" | "createdAt">[],
  now: number,
  timeZone: string,
): Promise<Record<string, ComponentUptime>> {
  const days = lastDays(now, uptimeDayCount, timeZone);
  const [windowStart] = dayRange(days.at(-1)!, timeZone);
  const byComponent = new Map<string, StatusChangeRow[]>();
  const rows = await inSlices(
    components.map((c) => c.id),
    (ids) =>
      db
        .select({
          componentId: componentStatusChanges.componentId,
          oldStatus: componentStatusChanges.oldStatus,
          newStatus: componentStatusChanges.newStatus,
          changedAt: componentStatusChanges.changedAt,
        })
        .from(componentStatusChanges)
        .where(
          and(inArray(componentStatusChanges.componentId, ids), gte(componentStatusChanges.changedAt, windowStart)),
        )
        .orderBy(asc(componentStatusChanges.changedAt), asc(componentStatusChanges.id)),
  );
  for (const { componentId, ...row } of rows) {
    const list = byComponent.get(componentId) ?? [];
    list.push(row);
    byComponent.set(componentId, list);
  }
  const result: Record<string, ComponentUptime> = {};
  for (const c of components) {
    const perDay = dailyUptime(byComponent.get(c.id) ?? [], c.status, c.createdAt, days, timeZone, now);
    result[c.id] = { percent: uptimePercent(perDay), days: perDay };
  }
  return result;
}
