import { describe, expect, test } from "vitest";
import { gzipSync } from "node:zlib";
import { lastDays } from "@/api/publish/calendar";
import { dailyUptime, uptimePercent, type ComponentUptime } from "@/api/services/uptime";
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

const barsOf = (html: string, name: string) => {
  const row = html.slice(html.indexOf(`>${name}<`));
  return row.slice(0, row.indexOf("</small>")).match(/<span tabindex="0" role="img"[^>]*>/g) ?? [];
};

describe("uptime bars on the status page", () => {
  test("each leaf component has 90 focusable bars, oldest first, each named in words, and its uptime", async () => {
    const { view } = tixPage();
    const html = await renderPage("/", view);
    const bars = barsOf(html, "tix1");
    expect(bars).toHaveLength(90);
    expect(bars[0]).toContain('aria-label="Aug 28, 2026: No downtime"');
    expect(bars[0]).toContain('class="tone-ok"');
    expect(bars.at(-1)).toContain('aria-label="Nov 25, 2026: Major Outage for 1 h 20 min"');
    expect(bars.at(-1)).toContain('class="tone-critical"');
    expect(html).toMatch(/>tix1<[\s\S]*?99\.81% uptime/);
    expect(html).toMatch(/>tix2<[\s\S]*?100% uptime/);
    expect(html.match(/role="img"/g)).toHaveLength(7 * 90);
  });

  test("days before a component existed show as no data, without a colour", async () => {
    const { view } = tixPage();
    const bars = barsOf(await renderPage("/", view), "Wintix");
    expect(bars[0]).toContain('aria-label="Aug 28, 2026: No data"');
    expect(bars[0]).not.toContain("class=");
    expect(bars.at(-1)).toContain('aria-label="Nov 25, 2026: No downtime"');
  });

  test("a page without uptime data renders no bars", async () => {
    const html = await renderPage(
      "/",
      makeStatusPageView({ layout: [{ type: "component", component: makeComponent() }] }),
    );
    expect(html).not.toContain('role="img"');
    expect(html).not.toContain('class="uptime"');
  });

  test("the whole status page with seven components stays well under 25 KB compressed", async () => {
    const html = await renderPage("/", tixPage().view);
    const size = gzipSync(html, { level: 9 }).length;
    expect(size).toBeLessThan(25 * 1024);
  });
});
