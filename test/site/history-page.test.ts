import { describe, expect, test } from "vitest";
import { makeHistoryPageView, makeIncident, makeMaintenance, T0 } from "./factories";
import { renderPage } from "./render";

describe("the history pages", () => {
  test("show each month as a heading with its incidents, or a note when it was quiet", async () => {
    const view = makeHistoryPageView({
      months: [
        {
          month: "2026-11",
          incidents: [
            makeIncident({
              id: "i1",
              name: "Webtix is down",
              status: "resolved",
              startedAt: T0,
              resolvedAt: T0 + 3_600_000,
            }),
          ],
        },
        { month: "2026-10", incidents: [] },
      ],
    });
    const html = await renderPage("/history", view);
    expect(html).toMatch(/<h2[^>]*>November 2026<\/h2>/);
    expect(html).toContain('<a href="/incidents/i1">Webtix is down</a>');
    expect(html).toContain("Resolved");
    expect(html).toContain('<time datetime="2026-11-25T15:20:00.000Z">');
    expect(html).toContain('<time datetime="2026-11-25T16:20:00.000Z" data-format="time">16:20 UTC</time>');
    expect(html).toMatch(/<h2[^>]*>October 2026<\/h2>\s*<p[^>]*>No incidents reported this month\.<\/p>/);
    expect(html.match(/<h1[ >]/g)).toHaveLength(1);
  });

  test("a month page renders the same view, maintenances included", async () => {
    const view = makeHistoryPageView({
      months: [{ month: "2026-11", incidents: [makeMaintenance({ name: "Database upgrade" })] }],
    });
    const html = await renderPage("/history/2026-11", view);
    expect(html).toContain("Database upgrade");
    expect(html).toContain("Scheduled maintenance");
  });

  test("link to newer and older pages only when there are some", async () => {
    const both = await renderPage(
      "/history/2026-08",
      makeHistoryPageView({ newerHref: "/history", olderHref: "/history/2026-05" }),
    );
    expect(both).toMatch(/<a href="\/history"[^>]*>← Newer<\/a>/);
    expect(both).toMatch(/<a href="\/history\/2026-05"[^>]*>Older →<\/a>/);

    const newest = await renderPage("/history", makeHistoryPageView({ olderHref: "/history/2026-08" }));
    expect(newest).not.toContain("Newer");
    expect(newest).toContain("Older");
  });

  test("a numbered page says so and names its neighbours in the head, for browsers and crawlers", async () => {
    const html = await renderPage(
      "/history/2026-11/2",
      makeHistoryPageView({
        pageNumber: 2,
        months: [{ month: "2026-11", incidents: [makeIncident({ id: "i7" })] }],
        newerHref: "/history/2026-11/3",
        olderHref: "/history/2026-11/1",
      }),
    );
    const head = html.slice(0, html.indexOf("</head>"));
    expect(head).toContain('<link rel="prev" href="/history/2026-11/3">');
    expect(head).toContain('<link rel="next" href="/history/2026-11/1">');
    expect(head).toContain("<title>Incident history, November 2026, page 2 · Tix</title>");
    expect(html).toContain('<li class="card" id="incident-i7">');
  });

  test("a month cut short on /history links to the page with the rest", async () => {
    const html = await renderPage(
      "/history",
      makeHistoryPageView({
        months: [
          {
            month: "2026-11",
            incidents: [makeIncident()],
            more: { count: 40, href: "/history/2026-11/1#incident-i3" },
          },
        ],
      }),
    );
    expect(html).toContain('<a href="/history/2026-11/1#incident-i3">And 40 more in November 2026</a>');
  });
});
