// Instants (UTC epoch ms) rendered in the page's time zone with Intl alone, so the same code runs on Node and on
// Workers. Statuspage renders timestamps in the page zone's offset (reference/statuspage-v2.md §0).

export type WallClock = { year: number; month: number; day: number; hour: number; minute: number; second: number };

const formatters = new Map<string, Intl.DateTimeFormat>();

function cached(key: string, make: (timeZone: string) => Intl.DateTimeFormat, timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(key);
  if (!f) {
    try {
      f = make(timeZone);
    } catch {
      // A misconfigured zone must not stop publishing; UTC is still correct, and the output says so.
      f = make("UTC");
    }
    formatters.set(key, f);
  }
  return f;
}

const numeric = (timeZone: string) =>
  new Intl.DateTimeFormat("en-US", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    second: "numeric",
  });

/** The calendar date and time an instant shows on a wall clock in the zone. */
export function wallClock(ms: number, timeZone: string): WallClock {
  const offset = offsetThroughHour(ms, timeZone);
  if (offset === null) return wallClockByIntl(ms, timeZone);
  const d = new Date(ms + offset);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
  };
}

// A publish shows thousands of instants, and Intl's formatToParts takes microseconds each (a tenth of a publish's
// work). A zone's offset only changes at a transition, so it is asked twice per hour of UTC (at its first and last
// second) and remembered when both agree; the hour that holds a transition is always asked of Intl itself.
const hourMs = 3_600_000;
const hourOffsets = new Map<string, number | null>();

function offsetThroughHour(ms: number, timeZone: string): number | null {
  const hour = Math.floor(ms / hourMs);
  const key = `${timeZone} ${hour}`;
  let offset = hourOffsets.get(key);
  if (offset === undefined) {
    const [first, last] = [hour * hourMs, hour * hourMs + hourMs - 1000].map((t) =>
      offsetMs(t, wallClockByIntl(t, timeZone)),
    );
    offset = first === last ? first! : null;
    if (hourOffsets.size >= 100_000) hourOffsets.clear();
    hourOffsets.set(key, offset);
  }
  return offset;
}

/** Milliseconds east of UTC, to the second, in effect at that instant. */
const offsetMs = (ms: number, c: WallClock) =>
  Date.UTC(c.year, c.month - 1, c.day, c.hour, c.minute, c.second) - Math.floor(ms / 1000) * 1000;

function wallClockByIntl(ms: number, timeZone: string): WallClock {
  const fields: Record<string, number> = {};
  for (const p of cached(`n ${timeZone}`, numeric, timeZone).formatToParts(ms)) {
    if (p.type !== "literal") fields[p.type] = Number(p.value);
  }
  const { year = 0, month = 1, day = 1, hour = 0, minute = 0, second = 0 } = fields;
  return { year, month, day, hour: hour % 24, minute, second };
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** Minutes east of UTC in effect in the zone at that instant. */
function offsetMinutes(ms: number, c: WallClock): number {
  return Math.round(offsetMs(ms, c) / 60_000);
}

/** ISO 8601 with milliseconds in the zone's offset: `2022-02-15T13:37:37.407-08:00`, or `…Z` at offset zero. */
export function isoInZone(ms: number, timeZone: string): string {
  const c = wallClock(ms, timeZone);
  const offset = offsetMinutes(ms, c);
  const zone =
    offset === 0
      ? "Z"
      : `${offset < 0 ? "-" : "+"}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
  const millis = ((ms % 1000) + 1000) % 1000;
  return `${pad(c.year, 4)}-${pad(c.month)}-${pad(c.day)}T${pad(c.hour)}:${pad(c.minute)}:${pad(c.second)}.${pad(millis, 3)}${zone}`;
}

/** `YYYY-MM-DD` of the instant in the zone. */
export function dateInZone(ms: number, timeZone: string): string {
  const c = wallClock(ms, timeZone);
  return `${pad(c.year, 4)}-${pad(c.month)}-${pad(c.day)}`;
}

/** `HH:MM` (24-hour) of the instant in the zone. */
export function clockInZone(ms: number, timeZone: string): string {
  const c = wallClock(ms, timeZone);
  return `${pad(c.hour)}:${pad(c.minute)}`;
}

const monthAbbreviations = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** `Nov` for the instant's month in the zone. */
export function monthInZone(ms: number, timeZone: string): string {
  return monthAbbreviations[wallClock(ms, timeZone).month - 1]!;
}

const zoneNamer = (locale: string) => (timeZone: string) =>
  new Intl.DateTimeFormat(locale, { timeZone, timeZoneName: "short" });

/**
 * The zone's short name at that instant: `UTC`, `PST`, `CET`. en-US names only American zones, so en-GB is asked
 * next for European ones; a zone neither names stays as `GMT+7`.
 */
export function zoneAbbreviation(ms: number, timeZone: string): string {
  let name = "";
  for (const locale of ["en-US", "en-GB"]) {
    const parts = cached(`z ${locale} ${timeZone}`, zoneNamer(locale), timeZone).formatToParts(ms);
    const candidate = parts.find((p) => p.type === "timeZoneName")?.value ?? "UTC";
    name ||= candidate;
    if (!/^GMT[+-]/.test(candidate)) return candidate;
  }
  return name;
}

/**
 * The instant a wall-clock time such as `2025-03-30T02:30` (an `<input type="datetime-local">` value) names in the
 * zone, or null when it is not one. Two passes settle the offset; a time skipped by a clock change lands after the
 * gap, and an hour that occurs twice is taken at its later occurrence.
 */
export function instantFromWallClock(local: string, timeZone: string): number | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(local);
  if (!m) return null;
  const [year, month, day, hour, minute, second = 0] = m.slice(1).map((s) => Number(s ?? 0)) as number[];
  const check = new Date(Date.UTC(year!, month! - 1, day!, hour!, minute!, second));
  if (check.getUTCMonth() !== month! - 1 || check.getUTCDate() !== day! || hour! > 23) return null;
  return utcOfWallClock(timeZone, year!, month!, day!, hour!, minute!, second);
}

/** The instant at which a wall-clock time occurs in the zone (two steps, so a day that changes offset is right). */
export function utcOfWallClock(
  timeZone: string,
  year: number,
  month: number,
  day: number,
  hour = 0,
  minute = 0,
  second = 0,
) {
  const guess = Date.UTC(year, month - 1, day, hour, minute, second);
  const first = guess - offsetMinutes(guess, wallClock(guess, timeZone)) * 60_000;
  return guess - offsetMinutes(first, wallClock(first, timeZone)) * 60_000;
}

/** `YYYY-MM-DDTHH:MM` of the instant in the zone, for an `<input type="datetime-local">`. */
export function wallClockInput(ms: number, timeZone: string): string {
  return `${dateInZone(ms, timeZone)}T${clockInZone(ms, timeZone)}`;
}

// Display: Times are stored as UTC epoch milliseconds and shown in the page's time zone, with the zone named,
// inside <time datetime="…"> carrying the UTC instant. Nothing here reads the clock, so the HTML is deterministic.

const displayFormatters = new Map<string, Intl.DateTimeFormat>();

function displayFormatter(timeZone: string, kind: "dateTime" | "time" | "day"): Intl.DateTimeFormat {
  const key = `${kind} ${timeZone}`;
  let f = displayFormatters.get(key);
  if (!f) {
    const options: Intl.DateTimeFormatOptions =
      kind === "day"
        ? { year: "numeric", month: "2-digit", day: "2-digit" }
        : kind === "time"
          ? { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZoneName: "short" }
          : {
              year: "numeric",
              month: "short",
              day: "numeric",
              hour: "2-digit",
              minute: "2-digit",
              hourCycle: "h23",
              timeZoneName: "short",
            };
    try {
      f = new Intl.DateTimeFormat("en-US", { ...options, timeZone });
    } catch {
      // A misconfigured zone must not take the status page down; UTC is still correct, and it is labelled.
      f = new Intl.DateTimeFormat("en-US", { ...options, timeZone: "UTC" });
    }
    displayFormatters.set(key, f);
  }
  return f;
}

/** The instant as ISO 8601 UTC, for `<time datetime>`. */
export function toIso(ms: number): string {
  return new Date(ms).toISOString();
}

/** "Nov 25, 2026, 15:20 UTC" in the given zone. */
export function formatDateTime(ms: number, timeZone: string): string {
  return displayFormatter(timeZone, "dateTime").format(ms);
}

/** "15:20 UTC" in the given zone. */
export function formatTime(ms: number, timeZone: string): string {
  return displayFormatter(timeZone, "time").format(ms);
}

/** Whether two instants fall on the same calendar day in the given zone. */
export function isSameDay(a: number, b: number, timeZone: string): boolean {
  const f = displayFormatter(timeZone, "day");
  return f.format(a) === f.format(b);
}

const utc = (options: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat("en-US", { ...options, timeZone: "UTC" });
const monthFormat = utc({ year: "numeric", month: "long" });
const dayFormat = utc({ year: "numeric", month: "short", day: "numeric" });

/** "2026-11" → "November 2026". Month keys are already in the page's zone, so they are formatted as plain dates. */
export function formatMonth(month: string): string {
  const [y, m] = month.split("-").map(Number);
  return Number.isInteger(y) && Number.isInteger(m) ? monthFormat.format(Date.UTC(y, m - 1, 1)) : month;
}

// The front page names each of its 90 days once per component's uptime bar: Intl's formatting was a seventh of its
// render, so each day's words are kept (a few thousand days at most; the map starts over past that).
const formattedDays = new Map<string, string>();

/** "2026-11-25" → "Nov 25, 2026". */
export function formatDay(day: string): string {
  let words = formattedDays.get(day);
  if (words === undefined) {
    const [y, m, d] = day.split("-").map(Number);
    words =
      Number.isInteger(y) && Number.isInteger(m) && Number.isInteger(d)
        ? dayFormat.format(Date.UTC(y!, m! - 1, d!))
        : day;
    if (formattedDays.size >= 4096) formattedDays.clear();
    formattedDays.set(day, words);
  }
  return words;
}

/** 4800 → "1 h 20 min"; under a minute is "under 1 min", so a short outage never reads as nothing. */
export function formatDuration(seconds: number): string {
  const minutes = Math.round(seconds / 60);
  if (minutes < 1) return "under 1 min";
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return [h > 0 ? `${h} h` : "", m > 0 ? `${m} min` : ""].filter(Boolean).join(" ");
}
