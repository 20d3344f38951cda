import { and, eq, gte, inArray, isNotNull, lt } from "drizzle-orm";
import type { Db } from "@/db/client";
import { monitorRollups, monitors } from "@/db/schema";
import type { ResponseTimes } from "@/present/views";

const hourMs = 3_600_000;
export const chartHours = 24;

/**
 * The response-time charts on the status page: for each component with a monitor whose chart staff chose to show,
 * the mean of each of the last 24 complete hours (the hourly roll-ups), so the page changes once an hour at most.
 */
export async function loadResponseTimes(db: Db, now: number): Promise<Record<string, ResponseTimes>> {
  const shown = await db
    .select({ id: monitors.id, componentId: monitors.componentId })
    .from(monitors)
    .where(and(eq(monitors.showChart, true), isNotNull(monitors.componentId)))
    .orderBy(monitors.createdAt);
  if (shown.length === 0) return {};
  const lastHour = Math.floor(now / hourMs) * hourMs - hourMs;
  const first = lastHour - (chartHours - 1) * hourMs;
  const rows = await db
    .select()
    .from(monitorRollups)
    .where(
      and(
        inArray(
          monitorRollups.monitorId,
          shown.map((m) => m.id),
        ),
        gte(monitorRollups.hour, first),
        lt(monitorRollups.hour, lastHour + hourMs),
      ),
    );
  const charts: Record<string, ResponseTimes> = {};
  for (const { id, componentId } of shown) {
    // One chart per component: the first monitor staff chose for it.
    if (charts[componentId!]) continue;
    const mine = rows.filter((r) => r.monitorId === id);
    const hours = Array.from({ length: chartHours }, (_, i) => {
      const row = mine.find((r) => r.hour === first + i * hourMs);
      return row && row.responseCount > 0 ? Math.round(row.responseMsSum / row.responseCount) : null;
    });
    const measured = mine.filter((r) => r.responseCount > 0);
    const sum = measured.reduce((s, r) => s + r.responseMsSum, 0);
    const count = measured.reduce((s, r) => s + r.responseCount, 0);
    charts[componentId!] = {
      hours,
      lastHour,
      mean: count > 0 ? Math.round(sum / count) : null,
      max: measured.length > 0 ? Math.max(...measured.map((r) => r.responseMsMax ?? 0)) : null,
    };
  }
  return charts;
}
