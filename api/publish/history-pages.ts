import type { Db } from "@/db/client";
import { loadOldestStart } from "@/api/services/read-model";
import { countStartedBefore, countStartedBetween, type StartKey } from "@/api/services/history-read-model";
import { monthKey, monthRange, shiftMonth } from "@/present/calendar";
import { monthPagePath, monthPath, pageAt, pageCount, publishedMonths } from "./history";

/** One page of a month's history; the newest is also published at the bare month path. */
export type MonthPage = { month: string; number: number; newest: boolean };

export type HistoryPlan = { render: MonthPage[]; remove: string[] };

/** What a change did to the history. */
export type HistoryTouch = {
  /** Incidents written: each is shown on one page. */
  incidents: StartKey[];
  /** Incidents deleted: every page of their month from where they were on moves up by one. */
  deleted: { id: string; startedAt: number }[];
  /** Months whose newest page must be rendered again (the current one; the one before when a month begins). */
  months: string[];
};

/**
 * The month pages a change touches, and the paths it leaves without content: the pages past a month's new end
 * after a deletion, and whole months older than the oldest incident left.
 */
export async function planHistoryPages(
  db: Db,
  now: number,
  timeZone: string,
  touch: HistoryTouch,
  isPublished: (path: string) => Promise<boolean>,
): Promise<HistoryPlan> {
  const oldest = await loadOldestStart(db);
  const oldestMonth = oldest === null ? null : monthKey(oldest, timeZone);
  const current = monthKey(now, timeZone);
  const hasPages = (m: string) => m === current || (m < current && oldestMonth !== null && m >= oldestMonth);
  const totals = new Map<string, number>();
  const total = async (m: string) => {
    if (!totals.has(m)) totals.set(m, await countStartedBetween(db, ...monthRange(m, timeZone)));
    return totals.get(m)!;
  };
  const numbers = new Map<string, Set<number>>();
  const add = (m: string, n: number) => (numbers.get(m) ?? numbers.set(m, new Set()).get(m)!).add(n);
  const addFrom = async (m: string, first: number) => {
    for (let n = first; n <= pageCount(await total(m)); n++) add(m, n);
  };
  const remove: string[] = [];

  for (const m of touch.months) if (hasPages(m)) add(m, pageCount(await total(m)));
  for (const key of touch.incidents) {
    const m = monthKey(key.startedAt, timeZone);
    if (!hasPages(m)) continue;
    const position = await countStartedBefore(db, monthRange(m, timeZone)[0], key);
    // An incident whose start is not its creation (backdated, or a maintenance scheduled ahead) may have been put
    // among older ones, moving every later incident down one place.
    if (key.startedAt !== key.createdAt) await addFrom(m, pageAt(position));
    add(m, pageAt(position));
  }

  const deletedIn = new Map<string, { count: number; earliest: number }>();
  for (const d of touch.deleted) {
    const m = monthKey(d.startedAt, timeZone);
    const seen = deletedIn.get(m);
    deletedIn.set(m, { count: (seen?.count ?? 0) + 1, earliest: Math.min(seen?.earliest ?? Infinity, d.startedAt) });
  }
  for (const [m, { count, earliest }] of deletedIn) {
    const [from] = monthRange(m, timeZone);
    const left = await total(m);
    const before = pageCount(left + count);
    if (hasPages(m)) {
      await addFrom(m, pageAt(await countStartedBetween(db, from, earliest)));
      for (let n = pageCount(left) + 1; n <= before; n++) remove.push(monthPagePath(m, n));
      continue;
    }
    // The month no longer has pages: nor do the quiet months between it and the oldest incident left.
    const first = oldestMonth ?? current;
    for (let k = m; k < first; k = shiftMonth(k, 1)) {
      remove.push(monthPath(k));
      for (let n = 1; n <= (k === m ? before : 1); n++) remove.push(monthPagePath(k, n));
    }
    add(first, 1); // its first page no longer links to older ones
  }

  const render: MonthPage[] = [];
  for (const [month, set] of numbers) {
    const newest = pageCount(await total(month));
    // A newest page new to the published set: the page before it gains a "newer" link.
    if (set.has(newest) && newest > 1 && !(await isPublished(monthPagePath(month, newest)))) set.add(newest - 1);
    for (const number of [...set].sort((a, b) => a - b)) {
      if (number <= newest) render.push({ month, number, newest: number === newest });
    }
  }
  return { render, remove: remove.filter((path) => !render.some((p) => pathsOf(p).includes(path))) };
}

/** Every page of the whole history, newest month first. */
export async function allHistoryPages(db: Db, now: number, timeZone: string): Promise<MonthPage[]> {
  const pages: MonthPage[] = [];
  for (const month of await publishedMonths(db, now, timeZone)) {
    const newest = pageCount(await countStartedBetween(db, ...monthRange(month, timeZone)));
    for (let number = newest; number >= 1; number--) pages.push({ month, number, newest: number === newest });
  }
  return pages;
}

/** The paths a month page is published at. */
export function pathsOf(p: MonthPage): string[] {
  return p.newest ? [monthPagePath(p.month, p.number), monthPath(p.month)] : [monthPagePath(p.month, p.number)];
}
