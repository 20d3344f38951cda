import type { ResponseTimes } from "./views";

export const chartWidth = 240;
export const chartHeight = 40;

/**
 * The chart's line: one point per hour with a measurement, scaled to the slowest hour; an hour without one breaks
 * the line (separate polylines), so a gap never looks like a fast hour.
 */
export function chartLines({ hours }: ResponseTimes): string[] {
  const top = Math.max(1, ...hours.map((h) => h ?? 0));
  const step = chartWidth / Math.max(1, hours.length - 1);
  const lines: string[][] = [[]];
  hours.forEach((ms, i) => {
    if (ms === null) {
      if (lines.at(-1)!.length > 0) lines.push([]);
      return;
    }
    const x = Math.round(i * step * 10) / 10;
    const y = Math.round((chartHeight - 2 - (ms / top) * (chartHeight - 4)) * 10) / 10;
    lines.at(-1)!.push(`${x},${y}`);
  });
  // A lone point is drawn as a short dash, so it shows.
  return lines.filter((l) => l.length > 0).map((l) => (l.length === 1 ? `${l[0]} ${bump(l[0]!)}` : l.join(" ")));
}

const bump = (point: string) => {
  const [x, y] = point.split(",").map(Number);
  return `${x! + 2},${y}`;
};

/** The chart in words, for screen readers and for readers without images. */
export function chartSummary({ mean, max, hours }: ResponseTimes): string {
  if (mean === null) return "No response time measured in the last 24 hours.";
  const latest = [...hours].reverse().find((h) => h !== null);
  return `Response time over the last 24 hours: ${mean} ms on average, ${max} ms at the slowest${
    latest != null ? `, ${latest} ms in the last hour measured` : ""
  }.`;
}
