import { describe, expect, test } from "vitest";
import {
  makeComponent,
  makeGroup,
  makeIncident,
  makeMaintenance,
  makeStatusPageView,
  makeUpdate,
  T0,
} from "./factories";
import { renderPage, withoutOwnScripts } from "./render";

const text = (html: string) =>
  html
    .replace(/<style>[\s\S]*?<\/style>/g, "")
    .replace(/<[^>]+>/g, " ")
    .replace(/\s+/g, " ");

describe("the status page", () => {
  test("is a complete document with feeds, a favicon, no external resources and no scripts but its own inline ones", async () => {
    const html = await renderPage("/", makeStatusPageView());
    expect(html).toMatch(/^<!DOCTYPE html><html lang="en">/i);
    expect(html).toContain('<meta name="viewport"');
    expect(html).toContain('<link rel="alternate" type="application/rss+xml"');
    expect(html).toContain('href="/history.rss"');
    expect(html).toContain('type="application/atom+xml"');
    expect(html).toContain('href="/history.atom"');
    expect(html).toMatch(/<link rel="icon" href="data:image\/svg\+xml,/);
    expect(html).toContain('href="/api/v2/summary.json"');
    expect(html).toContain("<script");
    expect(withoutOwnScripts(html)).not.toContain("<script");
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//);
    expect(html.match(/<h1[ >]/g)).toHaveLength(1);
  });

  test("shows the overall description in a banner with an icon, coloured by indicator", async () => {
    const html = await renderPage(
      "/",
      makeStatusPageView({ overall: { indicator: "major", description: "Partial System Outage" } }),
    );
    expect(html).toMatch(
      /<p class="banner tone-major">\s*<svg[^>]*aria-hidden="true"[\s\S]*?<\/svg>\s*Partial System Outage/,
    );
  });

  test("a group shows its worst status and, inside <details>, its members with their statuses in words", async () => {
    const group = makeGroup({
      name: "Ticketing servers",
      status: "major_outage",
      components: [makeComponent({ name: "tix1", status: "major_outage" }), makeComponent({ name: "tix2" })],
    });
    const html = await renderPage("/", makeStatusPageView({ layout: [{ type: "group", group }] }));
    const details = html.match(/<details[\s\S]*?<\/details>/)?.[0] ?? "";
    const summary = text(details.match(/<summary>[\s\S]*?<\/summary>/)?.[0] ?? "");
    expect(summary).toContain("Ticketing servers");
    expect(summary).toContain("Major Outage");
    expect(text(details)).toMatch(/tix1 Major Outage/);
    expect(text(details)).toMatch(/tix2 Operational/);
  });

  test("ungrouped components show their status as words", async () => {
    const html = await renderPage(
      "/",
      makeStatusPageView({
        layout: [{ type: "component", component: makeComponent({ name: "Wintix", status: "degraded_performance" }) }],
      }),
    );
    expect(text(html)).toContain("Wintix Degraded Performance");
  });

  test("a component shown only when degraded is hidden while operational", async () => {
    const hidden = makeComponent({ name: "Backup link", onlyShowIfDegraded: true });
    const html = await renderPage("/", makeStatusPageView({ layout: [{ type: "component", component: hidden }] }));
    expect(html).not.toContain("Backup link");
  });

  test("open incidents come first, linking to their page with impact and the latest update", async () => {
    const incident = makeIncident({
      id: "abc123",
      name: "Webtix is down",
      impact: "critical",
      updates: [
        makeUpdate({ status: "identified", body: "A **data centre** rebooted.", displayAt: T0 + 600_000 }),
        makeUpdate({ status: "investigating", body: "Looking into it." }),
      ],
    });
    const html = await renderPage(
      "/",
      makeStatusPageView({ openIncidents: [incident], layout: [{ type: "component", component: makeComponent() }] }),
    );
    expect(html).toContain('<a href="/incidents/abc123">Webtix is down</a>');
    expect(html.indexOf("Webtix is down")).toBeLessThan(html.indexOf('class="components"'));
    expect(text(html)).toContain("Critical impact");
    expect(text(html)).toContain("Identified");
    expect(html).toContain("<strong>data centre</strong>");
    // The latest update of what is still open also says how long ago it was, once JavaScript can tell.
    expect(html).toContain('<time datetime="2026-11-25T15:30:00.000Z" data-ago>Nov 25, 2026, 15:30 UTC</time>');
    expect(html).not.toContain("Looking into it.");
  });

  test("maintenances show their window and latest update", async () => {
    const html = await renderPage(
      "/",
      makeStatusPageView({
        upcomingMaintenances: [
          makeMaintenance({ name: "Database upgrade", scheduledFor: T0 + 3_600_000, scheduledUntil: T0 + 7_200_000 }, [
            { status: "scheduled", body: "We will upgrade the database." },
          ]),
        ],
      }),
    );
    expect(text(html)).toContain("Scheduled maintenance");
    expect(html).toContain('<time datetime="2026-11-25T16:20:00.000Z">');
    expect(html).toContain('<time datetime="2026-11-25T17:20:00.000Z" data-format="time">');
    expect(text(html)).toContain("We will upgrade the database.");
  });

  test("past incidents list each recent day, with its incidents or a quiet-day note, and link to the history", async () => {
    const html = await renderPage(
      "/",
      makeStatusPageView({
        recentDays: [
          { day: "2026-11-25", incidents: [makeIncident({ id: "i1", name: "Webtix is slow" })] },
          { day: "2026-11-24", incidents: [] },
        ],
      }),
    );
    expect(html).toContain("<h3>Nov 25, 2026</h3>");
    expect(html).toContain('href="/incidents/i1"');
    expect(html).toMatch(/<h3>Nov 24, 2026<\/h3>\s*<p[^>]*>No incidents reported\.<\/p>/);
    expect(html).toContain('href="/history"');
  });

  test("a busy day lists its newest incidents, then links to the history page with the rest", async () => {
    const html = await renderPage(
      "/",
      makeStatusPageView({
        recentDays: [
          {
            day: "2026-11-25",
            incidents: [makeIncident({ id: "i1" })],
            more: { count: 1234, href: "/history/2026-11/17#incident-i0" },
          },
        ],
      }),
    );
    expect(html).toContain('<a href="/history/2026-11/17#incident-i0">And 1,234 more this day</a>');
  });

  test("staff text is escaped, in content and in attributes", async () => {
    const name = 'Tix"><script>alert(1)</script>';
    const component = makeComponent({ name: "<b>Webtix</b>" });
    const html = await renderPage(
      "/",
      makeStatusPageView({
        page: { id: "page", name, url: "https://x.test", timeZone: "UTC" },
        layout: [{ type: "component", component }],
      }),
    );
    expect(html).toContain("<h1>Tix&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;</h1>");
    expect(html).toContain("&lt;b&gt;Webtix&lt;/b&gt;");
    // Inside a quoted attribute "<" is inert; what matters is that no quote ends the attribute early.
    const outsideAttributes = withoutOwnScripts(html).replace(/="[^"]*"/g, '=""');
    expect(outsideAttributes).not.toMatch(/<script|<b>/);
  });

  test("its optional refresh script stays under 3 KB compressed", async () => {
    const { gzipSync } = await import("node:zlib");
    const html = await renderPage("/", makeStatusPageView());
    const scripts = [...html.matchAll(/<script[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    const refresh = scripts.find((s) => s.includes("summary.json"));
    expect(refresh).toBeDefined();
    expect(gzipSync(refresh!, { level: 9 }).length).toBeLessThan(3 * 1024);
  });

  test("stays small: the whole page with its inline styles under 25 KB compressed", async () => {
    const { gzipSync } = await import("node:zlib");
    const members = Array.from({ length: 5 }, (_, i) => makeComponent({ name: `tix${i + 1}` }));
    const html = await renderPage(
      "/",
      makeStatusPageView({
        layout: [{ type: "group", group: makeGroup({ components: members }) }],
        recentDays: Array.from({ length: 15 }, (_, i) => ({
          day: `2026-11-${String(25 - i).padStart(2, "0")}`,
          incidents: [makeIncident()],
        })),
      }),
    );
    expect(gzipSync(html).length).toBeLessThan(25_000);
  });
});
