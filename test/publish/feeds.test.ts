import Parser from "rss-parser";
import { describe, expect, it, vi } from "vitest";
import { historyAtom, historyHtml, historyRss } from "@/api/publish/feeds";
import { at, makeIncident, makeMaintenance, makePage, makeSnapshot } from "@/test/support/views";

const parser = new Parser();
const decodeEntities = (html: string) =>
  html.replace(
    /&(lt|gt|quot|#39|amp);/g,
    (_, e: string) => ({ lt: "<", gt: ">", quot: '"', "#39": "'", amp: "&" })[e]!,
  );

/** An outage that was investigated, updated, and resolved, plus a maintenance: the two kinds of feed item. */
function history(overrides: Parameters<typeof makeSnapshot>[0] = {}) {
  const outage = makeIncident({ name: "tix1 is down", updatedAt: at("2026-11-25T16:00:00.000Z") }, [
    { status: "investigating", body: "tix1 stopped answering.", displayAt: at("2026-11-25T15:00:00.000Z") },
    { status: "investigating", body: "Still looking.\nWintix is fine.", displayAt: at("2026-11-25T15:10:00.000Z") },
    { status: "resolved", body: "tix1 is back.", displayAt: at("2026-11-25T15:20:00.000Z") },
  ]);
  const upgrade = makeMaintenance({}, [
    { status: "scheduled", body: "Upgrading the database.", displayAt: at("2026-11-20T09:00:00.000Z") },
  ]);
  return { outage, upgrade, snapshot: makeSnapshot({ feedItems: [outage, upgrade], ...overrides }) };
}

describe("the RSS history feed", () => {
  it("has the page's title and link and one item per incident, maintenances included", async () => {
    const { outage, upgrade, snapshot } = history();
    const feed = await parser.parseString(historyRss(snapshot));
    expect(feed.title).toBe("Tix Status - Incident History");
    expect(feed.link).toBe("https://status.example.com");
    expect(feed.items.map((i) => i.title)).toEqual(["tix1 is down", "Database upgrade"]);
    expect(feed.items[0]!.link).toBe(`https://status.example.com/incidents/${outage.id}`);
    expect(feed.items[1]!.guid).toBe(`https://status.example.com/incidents/${upgrade.id}`);
  });

  it("dates each item by its latest update", async () => {
    const { snapshot } = history();
    const feed = await parser.parseString(historyRss(snapshot));
    expect(feed.items[0]!.isoDate).toBe("2026-11-25T15:20:00.000Z");
    expect(feed.items[1]!.isoDate).toBe("2026-11-20T09:00:00.000Z");
  });

  it("renders the same snapshot to the same bytes, whatever the time of rendering", () => {
    const { snapshot } = history();
    // The rss package stamps lastBuildDate with the current time; the feed must not show it.
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      vi.setSystemTime(at("2030-01-01T00:00:00.000Z"));
      const first = historyRss(snapshot);
      vi.setSystemTime(at("2031-06-15T12:34:56.000Z"));
      expect(historyRss(snapshot)).toBe(first);
      expect(first).toContain("<lastBuildDate>Wed, 25 Nov 2026 15:50:05 GMT</lastBuildDate>");
      expect(first).not.toContain("2030");
    } finally {
      vi.useRealTimers();
    }
  });

  it("keeps the guid stable across renders and changes", async () => {
    const { outage, snapshot } = history();
    const before = await parser.parseString(historyRss(snapshot));
    const after = await parser.parseString(historyRss({ ...snapshot, updatedAt: at("2026-11-26T00:00:00.000Z") }));
    expect(after.items[0]!.guid).toBe(before.items[0]!.guid);
    expect(before.items[0]!.guid).toBe(`https://status.example.com/incidents/${outage.id}`);
  });

  it("keeps markup in a title or body as text", async () => {
    const name = "<script>alert(2)</script> <b>tix1</b> ]]> & co";
    const evil = makeIncident({ name }, [{ body: "<script>alert(1)</script>\u0007" }]);
    const xml = historyRss(makeSnapshot({ feedItems: [evil] }));
    expect(xml).not.toContain("<script>");
    expect(xml).not.toContain("<b>");
    const item = (await parser.parseString(xml)).items[0]!;
    // Inside CDATA the escaped title stays escaped: a reader showing the title as HTML shows the staff's text.
    expect(item.title).toBe("&lt;script&gt;alert(2)&lt;/script&gt; &lt;b&gt;tix1&lt;/b&gt; ]]&gt; &amp; co");
    expect(decodeEntities(item.title!)).toBe(name);
    expect(item.content).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
  });
});

describe("the Atom history feed", () => {
  it("has the page's title, ids on the page host, links and one entry per incident", async () => {
    const { outage, snapshot } = history();
    const xml = historyAtom(snapshot);
    expect(xml).toContain('<feed xml:lang="en-US" xmlns="http://www.w3.org/2005/Atom">');
    expect(xml).toContain("<id>tag:status.example.com,2005:/history</id>");
    expect(xml).toContain(
      '<link rel="self" type="application/atom+xml" href="https://status.example.com/history.atom"/>',
    );
    expect(xml).toContain("<author><name>Tix</name></author>");
    const feed = await parser.parseString(xml);
    expect(feed.title).toBe("Tix Status - Incident History");
    expect(feed.link).toBe("https://status.example.com");
    expect(feed.items).toHaveLength(2);
    expect(feed.items[0]).toMatchObject({
      title: "tix1 is down",
      link: `https://status.example.com/incidents/${outage.id}`,
      id: `tag:status.example.com,2005:Incident/${outage.id}`,
    });
  });

  it("publishes an entry at its latest update and updates it at its last edit", async () => {
    const { snapshot } = history();
    const xml = historyAtom(snapshot);
    expect(xml).toContain("<updated>2026-11-25T15:50:05.892Z</updated>");
    expect(xml).toContain(
      "<published>2026-11-25T15:20:00.000Z</published>\n<updated>2026-11-25T16:00:00.000Z</updated>",
    );
    expect((await parser.parseString(xml)).items[0]!.isoDate).toBe("2026-11-25T15:20:00.000Z");
  });

  it("writes dates in the page time zone's offset", () => {
    const { snapshot } = history({ page: makePage({ timeZone: "America/Tijuana" }) });
    expect(historyAtom(snapshot)).toContain("<published>2026-11-25T07:20:00.000-08:00</published>");
  });

  it("renders the same snapshot to the same bytes and keeps ids stable", async () => {
    const { snapshot } = history();
    expect(historyAtom(snapshot)).toBe(historyAtom(snapshot));
    const later = await parser.parseString(historyAtom({ ...snapshot, updatedAt: at("2026-12-01T00:00:00.000Z") }));
    const now = await parser.parseString(historyAtom(snapshot));
    expect(later.items.map((i) => i.id)).toEqual(now.items.map((i) => i.id));
  });

  it("keeps markup in a title or body as text", async () => {
    const evil = makeIncident({ name: "<b>tix1</b> & co" }, [{ body: "<script>alert(1)</script>" }]);
    const xml = historyAtom(makeSnapshot({ feedItems: [evil] }));
    expect(xml).not.toContain("<script>");
    const entry = (await parser.parseString(xml)).items[0]!;
    expect(entry.title).toBe("<b>tix1</b> & co");
    expect(entry.content).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
  });
});

describe("the update history in a feed item", () => {
  it("lists updates newest first, labelling a repeated status 'Update'", () => {
    const { outage } = history();
    const html = historyHtml(outage, "Etc/UTC");
    expect([...html.matchAll(/<strong>([^<]+)<\/strong>/g)].map((m) => m[1])).toEqual([
      "Resolved",
      "Update",
      "Investigating",
    ]);
    expect(html).toContain(
      "<p><small>Nov <var data-var='date'>25</var>, <var data-var='time'>15:20</var> UTC</small><br><strong>Resolved</strong> - tix1 is back.</p>",
    );
    expect(html).toContain("Still looking.<br />Wintix is fine.");
  });

  it("pads the day to two characters and names the zone", () => {
    const i = makeIncident({}, [{ displayAt: at("2026-10-03T10:47:00.000Z") }]);
    expect(historyHtml(i, "America/Los_Angeles")).toContain(
      "Oct <var data-var='date'> 3</var>, <var data-var='time'>03:47</var> PDT</small>",
    );
  });

  it("opens a maintenance with its window and labels its statuses", () => {
    const m = makeMaintenance({}, [
      { status: "scheduled" },
      { status: "in_progress" },
      { status: "verifying" },
      { status: "completed" },
    ]);
    const html = historyHtml(m, "Etc/UTC");
    expect(
      html.startsWith(
        "<p><strong>THIS IS A SCHEDULED EVENT Dec <var data-var='date'>1</var>, <var data-var='time'>13:00</var> - <var data-var='time'>15:00</var> UTC</strong></p>",
      ),
    ).toBe(true);
    expect([...html.matchAll(/<strong>([^<]+)<\/strong> -/g)].map((x) => x[1])).toEqual([
      "Completed",
      "Verifying",
      "In progress",
      "Scheduled",
    ]);
  });
});
