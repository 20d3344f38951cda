import { describe, expect, test } from "vitest";
import { gzipSync } from "node:zlib";
import { lastDays } from "@/present/calendar";
import { dailyUptime } from "@/api/services/uptime";
import { uptimePercent } from "@/present/uptime";
import type { ComponentUptime } from "@/present/views";
import type { Component } from "@/db/schema";
import { makeComponent, makeGroup, makeIncident, makeStatusPageView, T0 } from "./factories";
import { renderPage } from "./render";

const HOUR = 3600_000;
const DAY = 24 * HOUR;
const days = lastDays(T0, 90, "UTC");

/** 90 days of a component: an outage of 1 h 20 min on the given day, and whatever else the test passes. */
function uptimeOf(component: Component, outageDaysAgo: number[] = []): ComponentUptime {
  const changes = outageDaysAgo.flatMap((ago) => {
    const start = T0 - ago * DAY - 5 * HOUR;
    return [
      { changedAt: start, oldStatus: "operational" as const, newStatus: "major_outage" as const },
      { changedAt: start + 80 * 60_000, oldStatus: "major_outage" as const, newStatus: "operational" as const },
    ];
  });
  const perDay = dailyUptime(changes, component.status, component.createdAt, days, "UTC", T0);
  return { percent: uptimePercent(perDay), days: perDay };
}

/** The Ticketing company's page: tix1–tix5 in a group, Webtix and Wintix, with a few outages over the 90 days. */
function tixPage() {
  const members = [1, 2, 3, 4, 5].map((n) => makeComponent({ name: `tix${n}`, createdAt: T0 - 200 * DAY }));
  const webtix = makeComponent({ name: "Webtix", createdAt: T0 - 200 * DAY });
  const wintix = makeComponent({ name: "Wintix", createdAt: T0 - 30.5 * DAY });
  const group = makeGroup({ components: members });
  const uptime = Object.fromEntries(
    [...members, webtix, wintix].map((c, i) => [c.id, uptimeOf(c, i === 0 ? [0, 3, 40] : i % 2 ? [12] : [])]),
  );
  const view = makeStatusPageView({
    layout: [
      { type: "group", group },
      { type: "component", component: webtix },
      { type: "component", component: wintix },
    ],
    recentDays: days.slice(0, 15).map((day, i) => ({ day, incidents: i === 3 ? [makeIncident()] : [] })),
    uptime,
  });
  return { view, tix1: members[0]!, wintix };
}

/** The component's uptime <details>: its day bars, oldest first, and the days listed in words. */
const uptimeIn = (html: string, name: string) => {
  const row = html.slice(html.indexOf(`>${name}<`));
  const details = row.slice(0, row.indexOf("</details>"));
  return {
    details,
    bars: details.match(/<span (class="[^"]*" )?data-day="[^"]*"><\/span>/g) ?? [],
    listed: [...details.matchAll(/<li>([\s\S]*?)<\/li>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, "").trim()),
  };
};

describe("uptime bars on the status page", () => {
  test("each leaf component has one bar of 90 days, oldest first, each day named in words, and its uptime", async () => {
    const { view } = tixPage();
    const html = await renderPage("/", view);
    const { bars } = uptimeIn(html, "tix1");
    expect(bars).toHaveLength(90);
    expect(bars[0]).toContain('data-day="Aug 28, 2026: No downtime"');
    expect(bars[0]).toContain('class="tone-ok"');
    expect(bars.at(-1)).toContain('data-day="Nov 25, 2026: Major Outage for 1 h 20 min"');
    expect(bars.at(-1)).toContain('class="tone-critical"');
    expect(html).toMatch(/>tix1<[\s\S]*?99\.81% uptime/);
    expect(html).toMatch(/>tix2<[\s\S]*?100% uptime/);
    expect(html.match(/data-day=/g)).toHaveLength(7 * 90);
  });

  test("the bar is one tab stop: days are not focusable, and the bar opens to the days with trouble in words", async () => {
    const { view } = tixPage();
    const html = await renderPage("/", view);
    expect(html).not.toContain("tabindex");
    expect(html.match(/<details class="uptime">\s*<summary>/g)).toHaveLength(7);
    expect(uptimeIn(html, "tix1").listed).toEqual([
      "Nov 25, 2026: Major Outage for 1 h 20 min",
      "Nov 22, 2026: Major Outage for 1 h 20 min",
      "Oct 16, 2026: Major Outage for 1 h 20 min",
      "No downtime on the other days in the last 90 days. 99.81% uptime over 90 days, 99.63% over the last 30.",
    ]);
    expect(uptimeIn(html, "tix3").listed).toEqual([
      "No downtime in the last 90 days. 100% uptime over 90 days, 100% over the last 30.",
    ]);
  });

  test("a phone shows the last 30 days with their own uptime; a wide screen all 90", async () => {
    const { details } = uptimeIn(await renderPage("/", tixPage().view), "tix1");
    expect(details).toMatch(/<span class="wide">90 days ago<\/span><span class="narrow">30 days ago<\/span>/);
    expect(details).toMatch(/<span class="wide">99\.81% uptime<\/span><span class="narrow">99\.63% uptime<\/span>/);
  });

  test("days before a component existed show as no data, without a colour", async () => {
    const { view } = tixPage();
    const { bars, listed } = uptimeIn(await renderPage("/", view), "Wintix");
    expect(bars[0]).toBe('<span data-day="Aug 28, 2026: No data"></span>');
    expect(bars.at(-1)).toContain('data-day="Nov 25, 2026: No downtime"');
    expect(listed.at(-1)).toMatch(/^No downtime since Oct 26, 2026\./);
  });

  test("a page without uptime data renders no bars", async () => {
    const html = await renderPage(
      "/",
      makeStatusPageView({ layout: [{ type: "component", component: makeComponent() }] }),
    );
    expect(html).not.toContain("data-day=");
    expect(html).not.toContain('class="uptime"');
  });

  test("the whole status page with seven components stays well under 25 KB compressed", async () => {
    const html = await renderPage("/", tixPage().view);
    const size = gzipSync(html, { level: 9 }).length;
    expect(size).toBeLessThan(25 * 1024);
  });
});
