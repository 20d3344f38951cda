import type { Db } from "@/db/client";
import type { Incident } from "@/db/schema";
import { loadOldestStart } from "@/api/services/read-model";
import {
  countStartedBefore,
  countStartedBetween,
  loadNewestStarted,
  loadStartedSlice,
  type StartKey,
} from "@/api/services/history-read-model";
import { incidentAnchor } from "@/present/links";
import { monthKey, monthRange, shiftMonth } from "@/present/calendar";
import type { HistoryPageView, MoreLink, PageInfo } from "@/present/views";

// Each month of the history is a chain of pages of at most `historyPageSize` incidents, numbered from the oldest:
// page 1 of November 2026 is `/history/2026-11/1` and keeps showing the same incidents as newer ones arrive. The
// bare `/history/2026-11` is the same document as the month's newest page. A write renders the page its incident
// sits on, and the pages after it only when it moved them (history-pages.ts), never the whole month.

export const historyPageSize = 50;
/** `/history` shows this many months, the current one first, each with at most `indexMonthLimit` incidents. */
export const historyIndexMonths = 3;
export const indexMonthLimit = 10;

export const monthPath = (month: string) => `/history/${month}`;
export const monthPagePath = (month: string, number: number) => `/history/${month}/${number}`;

/** How many pages a month of `count` incidents has: one at least, so a quiet month says so. */
export const pageCount = (count: number) => Math.max(1, Math.ceil(count / historyPageSize));
/** The page holding the incident at `position` (0 = the month's oldest). */
export const pageAt = (position: number) => Math.floor(position / historyPageSize) + 1;

/** Where an incident is listed in the history: its month's page, at its anchor. */
export async function historyHref(db: Db, timeZone: string, key: StartKey): Promise<string> {
  const month = monthKey(key.startedAt, timeZone);
  const [from] = monthRange(month, timeZone);
  const page = pageAt(await countStartedBefore(db, from, key));
  return `${monthPagePath(month, page)}#${incidentAnchor(key.id)}`;
}

/** "and N more": `shown` of `total` are listed, `firstHidden` is the newest of the others. */
export async function moreLink(
  db: Db,
  timeZone: string,
  total: number,
  shown: number,
  firstHidden: Incident | undefined,
): Promise<MoreLink | null> {
  if (!firstHidden || total <= shown) return null;
  return { count: total - shown, href: await historyHref(db, timeZone, firstHidden) };
}

/** Every month that has pages: from the oldest incident's month up to the current one. */
export async function publishedMonths(db: Db, now: number, timeZone: string): Promise<string[]> {
  const oldest = await loadOldestStart(db);
  const current = monthKey(now, timeZone);
  if (oldest === null) return [current];
  const months: string[] = [];
  for (let m = current; m >= monthKey(oldest, timeZone); m = shiftMonth(m, -1)) months.push(m);
  return months;
}

/** `/history`: the newest incidents of the last months, each month linking on to its own pages. */
export async function historyIndexView(db: Db, page: PageInfo, now: number): Promise<HistoryPageView> {
  const tz = page.timeZone;
  const current = monthKey(now, tz);
  const months: HistoryPageView["months"] = [];
  for (let i = 0; i < historyIndexMonths; i++) {
    const month = shiftMonth(current, -i);
    const [from, to] = monthRange(month, tz);
    const newest = await loadNewestStarted(db, from, to, indexMonthLimit + 1);
    const incidents = newest.slice(0, indexMonthLimit);
    const total = newest.length > indexMonthLimit ? await countStartedBetween(db, from, to) : incidents.length;
    months.push({ month, incidents, more: await moreLink(db, tz, total, incidents.length, newest[indexMonthLimit]) });
  }
  const oldest = await loadOldestStart(db);
  const [windowStart] = monthRange(shiftMonth(current, -(historyIndexMonths - 1)), tz);
  return {
    page,
    pageNumber: null,
    months,
    newerHref: null,
    olderHref: oldest !== null && oldest < windowStart ? monthPath(shiftMonth(current, -historyIndexMonths)) : null,
  };
}

/** Page `number` of a month, newest first, linked to the pages before and after it across months. */
export async function historyMonthView(
  db: Db,
  page: PageInfo,
  month: string,
  number: number,
  now: number,
): Promise<HistoryPageView> {
  const tz = page.timeZone;
  const [from, to] = monthRange(month, tz);
  const pages = pageCount(await countStartedBetween(db, from, to));
  const incidents = await loadStartedSlice(db, from, to, (number - 1) * historyPageSize, historyPageSize);
  const oldest = await loadOldestStart(db);
  const newerMonth = shiftMonth(month, 1);
  return {
    page,
    pageNumber: pages > 1 ? number : null,
    months: [{ month, incidents, more: null }],
    newerHref:
      number < pages
        ? monthPagePath(month, number + 1)
        : newerMonth <= monthKey(now, tz)
          ? monthPagePath(newerMonth, 1)
          : null,
    olderHref:
      number > 1
        ? monthPagePath(month, number - 1)
        : oldest !== null && oldest < from
          ? monthPath(shiftMonth(month, -1))
          : null,
  };
}
