// Times are stored as UTC epoch milliseconds and shown in the page's time zone, with the zone named,
// inside <time datetime="…"> carrying the UTC instant. Nothing here reads the clock, so the HTML is deterministic.

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string, kind: "dateTime" | "time" | "day"): Intl.DateTimeFormat {
  const key = `${kind} ${timeZone}`;
  let f = formatters.get(key);
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
    formatters.set(key, f);
  }
  return f;
}

/** The instant as ISO 8601 UTC, for `<time datetime>`. */
export function toIso(ms: number): string {
  return new Date(ms).toISOString();
}

/** "Nov 25, 2026, 15:20 UTC" in the given zone. */
export function formatDateTime(ms: number, timeZone: string): string {
  return formatter(timeZone, "dateTime").format(ms);
}

/** "15:20 UTC" in the given zone. */
export function formatTime(ms: number, timeZone: string): string {
  return formatter(timeZone, "time").format(ms);
}

/** Whether two instants fall on the same calendar day in the given zone. */
export function isSameDay(a: number, b: number, timeZone: string): boolean {
  const f = formatter(timeZone, "day");
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

/** "2026-11-25" → "Nov 25, 2026". */
export function formatDay(day: string): string {
  const [y, m, d] = day.split("-").map(Number);
  return Number.isInteger(y) && Number.isInteger(m) && Number.isInteger(d)
    ? dayFormat.format(Date.UTC(y, m - 1, d))
    : day;
}

/** 4800 → "1 h 20 min"; under a minute is "under 1 min", so a short outage never reads as nothing. */
export function formatDuration(seconds: number): string {
  const minutes = Math.round(seconds / 60);
  if (minutes < 1) return "under 1 min";
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return [h > 0 ? `${h} h` : "", m > 0 ? `${m} min` : ""].filter(Boolean).join(" ");
}
