import type { Db } from "@/db/client";
import { loadOldestStart, loadStartedBetween } from "@/api/services/read-model";
import { monthKey, monthRange, shiftMonth } from "./calendar";
import type { HistoryPageView, PageInfo } from "./views";

/** `/history` shows this many months, the current one first; older months have a page each. */
export const historyIndexMonths = 3;

export const monthPath = (month: string) => `/history/${month}`;

/** Every month that has a page: from the oldest incident's month up to the current one. */
export async function publishedMonths(db: Db, now: number, timeZone: string): Promise<string[]> {
  const oldest = await loadOldestStart(db);
  const current = monthKey(now, timeZone);
  if (oldest === null) return [current];
  const months: string[] = [];
  for (let m = current; m >= monthKey(oldest, timeZone); m = shiftMonth(m, -1)) months.push(m);
  return months;
}

async function monthsView(db: Db, page: PageInfo, months: string[], newest: string) {
  const tz = page.timeZone;
  const [from] = monthRange(months.at(-1)!, tz);
  const [, to] = monthRange(months[0]!, tz);
  const incidents = await loadStartedBetween(db, from, to);
  const oldest = await loadOldestStart(db);
  const older = shiftMonth(months.at(-1)!, -1);
  const newer = shiftMonth(months[0]!, 1);
  const view: HistoryPageView = {
    page,
    months: months.map((month) => ({ month, incidents: incidents.filter((i) => monthKey(i.startedAt, tz) === month) })),
    olderHref: oldest !== null && oldest < from ? monthPath(older) : null,
    newerHref:
      newer > newest ? null : shiftMonth(newest, -(historyIndexMonths - 1)) <= newer ? "/history" : monthPath(newer),
  };
  return view;
}

export async function historyIndexView(db: Db, page: PageInfo, now: number): Promise<HistoryPageView> {
  const current = monthKey(now, page.timeZone);
  const months = Array.from({ length: historyIndexMonths }, (_, i) => shiftMonth(current, -i));
  return monthsView(db, page, months, current);
}

export async function historyMonthView(db: Db, page: PageInfo, month: string, now: number): Promise<HistoryPageView> {
  return monthsView(db, page, [month], monthKey(now, page.timeZone));
}
