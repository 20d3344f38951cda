/** Calendar arithmetic in the page's time zone, with Intl only (it runs on Workers too). */
import { dateInZone, utcOfWallClock } from "./time";

const wallClockToUtc = (year: number, month: number, day: number, timeZone: string) =>
  utcOfWallClock(timeZone, year, month, day);

const pad = (n: number) => String(n).padStart(2, "0");

/** "YYYY-MM-DD" of an instant in the zone. */
export const dayKey = dateInZone;

/** "YYYY-MM" of an instant in the zone. */
export function monthKey(ms: number, timeZone: string): string {
  return dayKey(ms, timeZone).slice(0, 7);
}

export function isMonthKey(key: string): boolean {
  return /^\d{4}-(0[1-9]|1[0-2])$/.test(key);
}

export function shiftMonth(key: string, by: number): string {
  const [y, m] = key.split("-").map(Number) as [number, number];
  const index = y * 12 + (m - 1) + by;
  return `${Math.floor(index / 12)}-${pad((index % 12) + 1)}`;
}

/** [start, end) of a month in the zone, in UTC ms. */
export function monthRange(key: string, timeZone: string): [number, number] {
  const [y, m] = key.split("-").map(Number) as [number, number];
  const [ny, nm] = shiftMonth(key, 1).split("-").map(Number) as [number, number];
  return [wallClockToUtc(y, m, 1, timeZone), wallClockToUtc(ny, nm, 1, timeZone)];
}

// Every publish asks for the same 90 days of every component's uptime bar: each answer costs four Intl calls.
const dayRanges = new Map<string, [number, number]>();

/** [start, end) of a day in the zone, in UTC ms. */
export function dayRange(key: string, timeZone: string): [number, number] {
  const cacheKey = `${key} ${timeZone}`;
  const cached = dayRanges.get(cacheKey);
  if (cached) return [cached[0], cached[1]];
  const [y, m, d] = key.split("-").map(Number) as [number, number, number];
  const next = new Date(Date.UTC(y, m - 1, d + 1));
  const range: [number, number] = [
    wallClockToUtc(y, m, d, timeZone),
    wallClockToUtc(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), timeZone),
  ];
  if (dayRanges.size >= 1000) dayRanges.clear();
  dayRanges.set(cacheKey, range);
  return [range[0], range[1]];
}

/** The `count` day keys ending with today's, newest first. */
export function lastDays(now: number, count: number, timeZone: string): string[] {
  const [y, m, d] = dayKey(now, timeZone).split("-").map(Number) as [number, number, number];
  return Array.from({ length: count }, (_, i) => new Date(Date.UTC(y, m - 1, d - i)).toISOString().slice(0, 10));
}
