import { describe, expect, test } from "vitest";
import { chartLines, chartSummary } from "@/present/response-chart";
import type { ResponseTimes } from "@/present/views";
import { makeComponent, makeStatusPageView } from "./factories";
import { renderPage } from "./render";

const hours = (values: (number | null)[]): ResponseTimes => {
  const measured = values.filter((v): v is number => v !== null);
  return {
    hours: values,
    lastHour: Date.parse("2026-11-25T11:00:00Z"),
    mean: measured.length ? Math.round(measured.reduce((a, b) => a + b, 0) / measured.length) : null,
    max: measured.length ? Math.max(...measured) : null,
  };
};

describe("a monitored component's response-time chart", () => {
  test("is inline SVG with its numbers in words, beside the component it belongs to", async () => {
    const webtix = makeComponent({ name: "Webtix" });
    const wintix = makeComponent({ name: "Wintix" });
    const times = hours(Array.from({ length: 24 }, (_, i) => 100 + i * 10));
    const html = await renderPage(
      "/",
      makeStatusPageView({
        layout: [
          { type: "component", component: webtix },
          { type: "component", component: wintix },
        ],
        responseTimes: { [webtix.id]: times },
      }),
    );
    const figures = html.match(/<figure class="response"[\s\S]*?<\/figure>/g) ?? [];
    expect(figures).toHaveLength(1);
    const figure = figures[0]!;
    expect(html.indexOf(figure)).toBeGreaterThan(html.indexOf("Webtix"));
    expect(html.indexOf(figure)).toBeLessThan(html.indexOf("Wintix"));
    expect(figure).toMatch(/<svg [^>]*role="img"/);
    expect(figure).toContain(
      '<title id="rt-' +
        webtix.id +
        '">Response time over the last 24 hours: 215 ms on average, 330 ms at the slowest, 330 ms in the last hour measured.</title>',
    );
    expect(figure.match(/<polyline/g)).toHaveLength(1);
    // Small enough for the front page's budget, whatever the numbers.
    expect(figure.length).toBeLessThan(1500);
  });

  test("breaks the line where an hour has no measurement, instead of drawing a fast hour", () => {
    const lines = chartLines(hours([100, 200, null, null, 300, 100, null, 50]));
    expect(lines).toHaveLength(3);
    expect(lines[0]!.split(" ")).toHaveLength(2);
    // A lone measured hour still shows, as a short dash.
    expect(lines[2]!.split(" ")).toHaveLength(2);
    // The slowest hour reaches the top; y grows downwards.
    const ys = lines.flatMap((l) => l.split(" ").map((p) => Number(p.split(",")[1])));
    expect(Math.min(...ys)).toBe(2);
  });

  test("says so when nothing was measured", () => {
    expect(chartLines(hours(Array(24).fill(null)))).toEqual([]);
    expect(chartSummary(hours(Array(24).fill(null)))).toBe("No response time measured in the last 24 hours.");
  });
});
