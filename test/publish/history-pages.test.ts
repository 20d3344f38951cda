import { afterEach, describe, expect, it } from "vitest";
import { join } from "node:path";
import { loadRenderer } from "@/api/node-runtime";
import { zlibCompressor } from "@/api/publish/zlib-compressor";
import { FileStore } from "@/api/publish/file-store";
import { createPublisher } from "@/api/publish/publisher";
import { historyPageSize } from "@/api/publish/history";
import { makeDeps } from "@/test/support/deps";
import { deleteIncident, openIncident, postIncidentUpdate } from "@/test/support/written";

// A dense history, published through the real renderer into a real store: what a reader can follow from page to page.

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const HOUR = 3_600_000;

async function setup() {
  const env = await makeDeps();
  const store = new FileStore(join(env.dir, "site"));
  const rendered: string[] = [];
  const real = await loadRenderer();
  const publisher = createPublisher({
    ...env.deps,
    renderer: { render: (path, locals) => (rendered.push(path), real.render(path, locals)) },
    store,
    compress: zlibCompressor,
  });
  cleanups.push(async () => {
    await publisher.idle();
    env.cleanup();
  });
  const html = (path: string) => {
    const page = store.get(path);
    if (!page) throw new Error(`${path} is not published`);
    return new TextDecoder().decode(page.body);
  };
  /** Opens `count` resolved incidents, the first starting at `from`, one every `every` ms; returns their ids. */
  const openIncidents = async (count: number, from: string, every = 60_000) => {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      env.clock.set(Date.parse(from) + i * every);
      const incident = await openIncident(env.deps, {
        name: `Flap ${i}`,
        status: "resolved",
        components: {},
        notify: false,
      });
      ids.push(incident.id);
    }
    return ids;
  };
  const publish = async (change: Parameters<typeof publisher.touch>[0]) => {
    publisher.touch(change);
    await publisher.idle();
    expect(publisher.state.lastError).toBeNull();
  };
  return { ...env, store, publisher, rendered, html, openIncidents, publish };
}

/** The incidents a history page lists, in the order it lists them. */
const listed = (html: string) => [...html.matchAll(/<li class="card" id="incident-([^"]+)"/g)].map((m) => m[1]!);
const rel = (html: string, name: "prev" | "next") =>
  html.match(new RegExp(`<link rel="${name}" href="([^"]+)"`))?.[1] ?? null;

describe("a dense history", () => {
  it("shows five incidents of a busy day on the front page, and links to a published page with the rest", async () => {
    const s = await setup();
    const ids = await s.openIncidents(120, "2026-11-25T00:30:00.000Z");
    await s.publish({ everything: true });

    const front = s.html("/");
    const newestFirst = [...ids].reverse();
    for (const id of newestFirst.slice(0, 5)) expect(front).toContain(`/incidents/${id}"`);
    for (const id of newestFirst.slice(5)) expect(front).not.toContain(`/incidents/${id}"`);
    const more = front.match(/<a href="([^"#]+)#incident-([^"]+)">And (\d+) more this day<\/a>/);
    expect(more?.[3]).toBe("115");
    expect(more?.[2]).toBe(newestFirst[5]);

    // The link lands on the page with the newest hidden incident; older pages follow from there.
    const found: string[] = [];
    for (let path: string | null = more![1]!; path?.startsWith("/history/2026-11");) {
      const page = s.html(path);
      found.push(...listed(page));
      path = rel(page, "next");
    }
    const fromAnchor = found.slice(found.indexOf(newestFirst[5]!));
    expect(fromAnchor).toEqual(newestFirst.slice(5));
  });

  it("pages a month by at most 50 incidents, numbered from the oldest, linked with rel prev and next", async () => {
    const s = await setup();
    const [october] = await s.openIncidents(1, "2026-10-20T10:00:00.000Z");
    const ids = await s.openIncidents(120, "2026-11-20T10:00:00.000Z", HOUR);
    await s.publish({ everything: true });

    const pages = [1, 2, 3].map((n) => s.html(`/history/2026-11/${n}`));
    for (const page of pages) expect(listed(page).length).toBeLessThanOrEqual(historyPageSize);
    expect(listed(pages[0]!)).toEqual(ids.slice(0, 50).reverse());
    expect(listed(pages[2]!)).toEqual(ids.slice(100).reverse());
    expect(s.html("/history/2026-11")).toBe(pages[2]);
    expect(s.store.get("/history/2026-11/4")).toBeUndefined();

    expect([rel(pages[2]!, "prev"), rel(pages[2]!, "next")]).toEqual([null, "/history/2026-11/2"]);
    expect([rel(pages[1]!, "prev"), rel(pages[1]!, "next")]).toEqual(["/history/2026-11/3", "/history/2026-11/1"]);
    expect([rel(pages[0]!, "prev"), rel(pages[0]!, "next")]).toEqual(["/history/2026-11/2", "/history/2026-10"]);
    expect(pages[1]).toMatch(/<a href="\/history\/2026-11\/3" rel="prev">← Newer<\/a>/);
    expect(pages[1]).toMatch(/<a href="\/history\/2026-11\/1" rel="next">Older →<\/a>/);
    const previousMonth = s.html("/history/2026-10");
    expect(listed(previousMonth)).toEqual([october]);
    expect([rel(previousMonth, "prev"), rel(previousMonth, "next")]).toEqual(["/history/2026-11/1", null]);

    // /history shows the newest few of each month and links on to the rest.
    const index = s.html("/history");
    expect(listed(index).length).toBeLessThanOrEqual(30);
    expect(index).toMatch(/<a href="\/history\/2026-11\/3#incident-[^"]+">And 110 more in November 2026<\/a>/);
  });

  it("keeps a page's incidents at its address when newer ones arrive", async () => {
    const s = await setup();
    await s.openIncidents(80, "2026-11-20T10:00:00.000Z", HOUR);
    await s.publish({ everything: true });
    const first = listed(s.html("/history/2026-11/1"));
    const second = listed(s.html("/history/2026-11/2"));

    const newer = await s.openIncidents(30, "2026-11-24T00:00:00.000Z");
    await s.publish({ incidents: newer });
    expect(listed(s.html("/history/2026-11/1"))).toEqual(first);
    expect(listed(s.html("/history/2026-11/2")).slice(-second.length)).toEqual(second);
    expect(listed(s.html("/history/2026-11/3"))).toEqual(newer.slice(-10).reverse());
    expect(s.html("/history/2026-11")).toBe(s.html("/history/2026-11/3"));
    expect(rel(s.html("/history/2026-11/2"), "prev")).toBe("/history/2026-11/3");
  });

  it("renders again only the page an updated incident is on, and the month's newest", async () => {
    const s = await setup();
    const ids = await s.openIncidents(250, "2026-11-20T00:00:00.000Z");
    await s.publish({ everything: true });

    s.rendered.length = 0;
    await postIncidentUpdate(s.deps, ids[3]!, { status: "postmortem", notify: false });
    await s.publish({ incidents: [ids[3]!] });
    expect(s.rendered.filter((p) => p.startsWith("/history/")).sort()).toEqual([
      "/history/2026-11/1",
      "/history/2026-11/5",
    ]);
    // Besides those two: the incident's page, `/`, `/history` and `/embed`, whatever the history holds.
    expect(s.rendered.filter((p) => !p.startsWith("/history/")).sort()).toEqual([
      "/",
      "/embed",
      "/history",
      `/incidents/${ids[3]}`,
    ]);
    expect(s.html("/history/2026-11/1")).toContain("Postmortem");
  });

  it("leaves no page or link behind when deleting empties a page or a month", async () => {
    const s = await setup();
    const [october] = await s.openIncidents(1, "2026-10-20T10:00:00.000Z");
    const ids = await s.openIncidents(51, "2026-11-20T10:00:00.000Z", HOUR);
    await s.publish({ everything: true });
    expect(listed(s.html("/history/2026-11/2"))).toEqual([ids[50]]);

    for (const id of [ids[50]!, october!]) {
      const row = await deleteIncident(s.deps, id, "incident");
      await s.publish({ deleted: [{ id: row.id, startedAt: row.startedAt }] });
    }
    expect(s.store.get("/history/2026-11/2")).toBeUndefined();
    expect(s.store.get("/history/2026-10")).toBeUndefined();
    expect(s.store.get("/history/2026-10/1")).toBeUndefined();
    const only = s.html("/history/2026-11");
    expect(s.html("/history/2026-11/1")).toBe(only);
    expect(listed(only)).toEqual(ids.slice(0, 50).reverse());
    expect([rel(only, "prev"), rel(only, "next")]).toEqual([null, null]);
    expect(s.html("/history")).not.toContain("/history/2026-10");
  });

  it("moves the later incidents of a month down a page when one is backdated among them", async () => {
    const s = await setup();
    const ids = await s.openIncidents(60, "2026-11-20T10:00:00.000Z", HOUR);
    await s.publish({ everything: true });
    s.clock.advance(HOUR);
    const backdated = await openIncident(s.deps, {
      name: "Imported",
      status: "resolved",
      started_at: Date.parse("2026-11-20T10:30:00.000Z"),
      components: {},
      notify: false,
    });
    await s.publish({ incidents: [backdated.id] });
    expect(listed(s.html("/history/2026-11/1"))).toEqual([ids[0], backdated.id, ...ids.slice(1, 49)].reverse());
    expect(listed(s.html("/history/2026-11/2"))).toEqual(ids.slice(49).reverse());
  });

  it("moves the later incidents of a month up a page when an earlier one is deleted", async () => {
    const s = await setup();
    const ids = await s.openIncidents(60, "2026-11-20T10:00:00.000Z", HOUR);
    await s.publish({ everything: true });
    const row = await deleteIncident(s.deps, ids[0]!, "incident");
    await s.publish({ deleted: [{ id: row.id, startedAt: row.startedAt }] });
    expect(listed(s.html("/history/2026-11/1"))).toEqual(ids.slice(1, 51).reverse());
    expect(listed(s.html("/history/2026-11/2"))).toEqual(ids.slice(51).reverse());
  });
});

describe("the Statuspage documents", () => {
  it("list the 50 most recent incidents in incidents.json, as Statuspage does", async () => {
    const s = await setup();
    const ids = await s.openIncidents(60, "2026-11-20T10:00:00.000Z", HOUR);
    await s.publish({});
    const listedIds = JSON.parse(s.html("/api/v2/incidents.json")).incidents.map((i: { id: string }) => i.id);
    expect(listedIds).toEqual(ids.slice(10).reverse());
  });
});
