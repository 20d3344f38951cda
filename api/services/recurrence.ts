import type { RepeatEvery } from "@/db/schema";
import { utcOfWallClock, wallClockInput } from "@/present/time";

/** What places a series' occurrences: the first one's local date and time, and how often it repeats. */
export type Recurrence = {
  every: RepeatEvery;
  /** `YYYY-MM-DD`, local. */
  firstDate: string;
  /** `HH:MM`, local. */
  localTime: string;
  /** The last local date an occurrence may fall on, inclusive. */
  until: string | null;
  /** How many occurrences in all. */
  count: number | null;
};

const pad = (n: number) => String(n).padStart(2, "0");
const daysInMonth = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

/**
 * The local date of occurrence `n` (0 is the first). Weekly: seven days on each time. Monthly: the same day of the
 * month, or the month's last day when it is shorter (a series on the 31st falls on Feb 28/29, Apr 30, …, and is back
 * on the 31st where there is one).
 */
export function occurrenceDate(r: Pick<Recurrence, "every" | "firstDate">, n: number): string {
  const [year, month, day] = r.firstDate.split("-").map(Number) as [number, number, number];
  if (r.every === "week") {
    const d = new Date(Date.UTC(year, month - 1, day + 7 * n));
    return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
  }
  const index = year * 12 + (month - 1) + n;
  const y = Math.floor(index / 12);
  const m = (index % 12) + 1;
  return `${y}-${pad(m)}-${pad(Math.min(day, daysInMonth(y, m)))}`;
}

/**
 * The instant a wall-clock time occurs in the zone. A time the clocks skip (02:30 on the night they go forward) is
 * taken at the next valid time, the end of the gap (03:00), as croner does for the heartbeats' cron schedules; a time
 * that occurs twice (the night they go back) is taken at its first occurrence.
 */
export function instantOfLocal(date: string, time: string, timeZone: string): number {
  const [year, month, day] = date.split("-").map(Number) as [number, number, number];
  const [hour, minute] = time.split(":").map(Number) as [number, number];
  const wanted = `${date}T${time}`;
  let at = utcOfWallClock(timeZone, year, month, day, hour, minute);
  if (wallClockInput(at, timeZone) !== wanted) {
    // In a gap: step back to the first minute after it (gaps are at most a few hours long).
    while (wallClockInput(at - 60_000, timeZone) > wanted) at -= 60_000;
    return at;
  }
  // An hour that occurs twice: the earlier instant shows the same wall clock.
  for (const back of [3_600_000, 1_800_000]) {
    if (wallClockInput(at - back, timeZone) === wanted) return at - back;
  }
  return at;
}

/** When occurrence `n` starts, or null when the series has ended by then (past `count` or `until`). */
export function occurrenceStart(r: Recurrence, n: number, timeZone: string): number | null {
  if (r.count !== null && n >= r.count) return null;
  const date = occurrenceDate(r, n);
  if (r.until !== null && date > r.until) return null;
  return instantOfLocal(date, r.localTime, timeZone);
}

/**
 * The number of the first occurrence that starts after `now`, with its start, or null when the series has no more.
 * Occurrences whose time has passed without being made (the server was down) are not made late.
 */
export function nextOccurrence(r: Recurrence, now: number, timeZone: string): { number: number; start: number } | null {
  // A first guess from the elapsed time, then step: weekly series advance 7 days, monthly ones at least 28.
  const first = occurrenceStart(r, 0, timeZone);
  if (first === null) return null;
  const step = r.every === "week" ? 7 * 86_400_000 : 31 * 86_400_000;
  let n = Math.max(0, Math.floor((now - first) / step) - 1);
  for (;;) {
    const start = occurrenceStart(r, n, timeZone);
    if (start === null) return null;
    if (start > now) return { number: n, start };
    n++;
  }
}
