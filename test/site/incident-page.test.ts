import { describe, expect, test } from "vitest";
import {
  makeComponent,
  makeIncident,
  makeIncidentPageView,
  makeMaintenance,
  makePage,
  makeUpdate,
  T0,
} from "./factories";
import { renderPage, withoutOwnScripts } from "./render";

const HOUR = 3_600_000;

describe("an incident page", () => {
  test("shows the name, impact, affected components and a back link", async () => {
    const incident = makeIncident({
      name: "Webtix is down",
      impact: "major",
      components: [makeComponent({ name: "tix1" })],
    });
    const html = await renderPage(`/incidents/${incident.id}`, makeIncidentPageView({ incident }));
    expect(html).toContain("<h1>Webtix is down</h1>");
    expect(html).toContain("Major impact");
    expect(html).toContain("<li>tix1</li>");
    expect(html).toMatch(/<a href="\/">/);
    expect(html.match(/<h1[ >]/g)).toHaveLength(1);
  });

  test("lists updates newest first, each with its status label and a machine-readable time", async () => {
    const incident = makeIncident({
      updates: [
        makeUpdate({ status: "resolved", body: "Fixed.", displayAt: T0 + 2 * HOUR }),
        makeUpdate({ status: "monitoring", body: "Watching.", displayAt: T0 + HOUR }),
        makeUpdate({ status: "investigating", body: "Looking.", displayAt: T0 }),
      ],
    });
    const html = await renderPage(`/incidents/${incident.id}`, makeIncidentPageView({ incident }));
    const labels = [...html.matchAll(/<h3>([^<]+)<\/h3>/g)].map((m) => m[1]);
    expect(labels).toEqual(["Resolved", "Monitoring", "Investigating"]);
    const times = [...html.matchAll(/<time datetime="([^"]+)"/g)].map((m) => m[1]);
    expect(times).toEqual(["2026-11-25T17:20:00.000Z", "2026-11-25T16:20:00.000Z", "2026-11-25T15:20:00.000Z"]);
  });

  test("shows times in the page's time zone, with the zone named", async () => {
    const incident = makeIncident({ updates: [makeUpdate({ displayAt: T0 })] });
    const html = await renderPage(
      `/incidents/${incident.id}`,
      makeIncidentPageView({ page: makePage({ timeZone: "America/New_York" }), incident }),
    );
    expect(html).toContain('<time datetime="2026-11-25T15:20:00.000Z">Nov 25, 2026, 10:20 EST</time>');
  });

  test("renders Markdown bodies", async () => {
    const incident = makeIncident({
      updates: [makeUpdate({ body: "The **database** is back.\nSee https://example.com" })],
    });
    const html = await renderPage(`/incidents/${incident.id}`, makeIncidentPageView({ incident }));
    expect(html).toContain("<strong>database</strong>");
    expect(html).toContain('<a href="https://example.com" rel="nofollow noopener">');
  });

  test("never lets a body inject script or a javascript: link", async () => {
    const body =
      "<script>alert(1)</script> [x](javascript:alert(1)) <img src=x onerror=alert(1)> [y](JaVaScRiPt&colon;alert(1))";
    const incident = makeIncident({ updates: [makeUpdate({ body })] });
    const html = await renderPage(`/incidents/${incident.id}`, makeIncidentPageView({ incident }));
    expect(withoutOwnScripts(html)).not.toMatch(/<script/i);
    expect(html).not.toMatch(/href="\s*javascript:/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
  });

  test("a maintenance says so and shows its window", async () => {
    const incident = makeMaintenance({ scheduledFor: T0, scheduledUntil: T0 + 26 * HOUR });
    const html = await renderPage(`/incidents/${incident.id}`, makeIncidentPageView({ incident }));
    expect(html).toContain("Scheduled maintenance");
    expect(html).toContain('<time datetime="2026-11-25T15:20:00.000Z">Nov 25, 2026, 15:20 UTC</time>');
    expect(html).toContain('<time datetime="2026-11-26T17:20:00.000Z">Nov 26, 2026, 17:20 UTC</time>');
    expect(html).toContain("<h3>Scheduled</h3>");
  });
});
