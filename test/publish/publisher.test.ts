import { afterEach, describe, expect, it } from "vitest";
import { statSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync, brotliDecompressSync } from "node:zlib";
import { loadRenderer } from "@/api/node-runtime";
import { zlibCompressor } from "@/api/publish/zlib-compressor";
import { FileStore } from "@/api/publish/file-store";
import { createPublisher, type Renderer } from "@/api/publish/publisher";
import { answerFromPage } from "@/api/publish/serve";
import { fileNameFor } from "@/api/publish/page";
import { listComponents } from "@/api/services/components";
import { makeDeps } from "@/test/support/deps";
import { deleteIncident, openIncident, postIncidentUpdate, updateComponent } from "@/test/support/written";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function setup(wrap: (r: Renderer) => Renderer = (r) => r) {
  const env = await makeDeps();
  const store = new FileStore(join(env.dir, "site"));
  const rendered: string[] = [];
  const real = await loadRenderer();
  const renderer = wrap({ render: (path, locals) => (rendered.push(path), real.render(path, locals)) });
  const publisher = createPublisher({ ...env.deps, renderer, store, compress: zlibCompressor });
  cleanups.push(async () => {
    await publisher.idle();
    env.cleanup();
  });
  const text = (path: string) => {
    const page = store.get(path);
    return page ? new TextDecoder().decode(page.body) : undefined;
  };
  const tix1 = (await listComponents(env.deps)).find((c) => c.name === "tix1")!;
  return { ...env, store, publisher, rendered, text, tix1 };
}

describe("publisher", () => {
  it("publishes a new incident on the status page, its own page, the history, the feeds and the JSON", async () => {
    const s = await setup();
    const incident = await openIncident(s.deps, {
      name: "Webtix down on tix1",
      status: "investigating",
      components: { [s.tix1.id]: "major_outage" },
      notify: true,
    });
    s.publisher.touch({ incidents: [incident.id] });
    await s.publisher.idle();
    for (const path of [
      "/",
      `/incidents/${incident.id}`,
      "/history",
      "/history/2026-11",
      "/history.rss",
      "/history.atom",
    ]) {
      expect(s.text(path), path).toContain("Webtix down on tix1");
    }
    const summary = JSON.parse(s.text("/api/v2/summary.json")!);
    expect(summary.incidents.map((i: { id: string }) => i.id)).toEqual([incident.id]);
    expect(summary.status).toEqual({ indicator: "major", description: "Partial System Outage" });
    expect(JSON.parse(s.text("/api/v2/incidents/unresolved.json")!).incidents).toHaveLength(1);
  });

  it("renders only the pages a change touches, not the whole history", async () => {
    const s = await setup();
    const old = await openIncident(s.deps, { name: "Old", status: "resolved", components: {}, notify: false });
    const current = await openIncident(s.deps, {
      name: "Current",
      status: "investigating",
      components: {},
      notify: false,
    });
    s.publisher.touch({ everything: true });
    await s.publisher.idle();
    expect(s.rendered).toContain(`/incidents/${old.id}`);

    s.rendered.length = 0;
    await postIncidentUpdate(s.deps, current.id, { status: "identified", notify: true });
    s.publisher.touch({ incidents: [current.id] });
    await s.publisher.idle();
    expect(s.rendered).toContain(`/incidents/${current.id}`);
    expect(s.rendered).not.toContain(`/incidents/${old.id}`);

    s.rendered.length = 0;
    await updateComponent(s.deps, s.tix1.id, { status: "degraded_performance" });
    s.publisher.touch({});
    await s.publisher.idle();
    expect(s.rendered.filter((p) => p.startsWith("/incidents/"))).toEqual([]);
    expect(s.text("/")).toContain("Degraded Performance");
  });

  it("compresses and writes again only the pages whose bytes changed", async () => {
    let compressions = 0;
    const s = await setup();
    const counting = createPublisher({
      ...s.deps,
      renderer: await loadRenderer(),
      store: s.store,
      compress: {
        gzip: (data) => (compressions++, zlibCompressor.gzip(data)),
        br: (data) => (compressions++, zlibCompressor.br(data)),
      },
    });
    const incident = await openIncident(s.deps, {
      name: "Slow",
      status: "investigating",
      components: {},
      notify: false,
    });
    counting.touch({ everything: true });
    await counting.idle();
    const fileOf = (path: string) => statSync(join(s.dir, "site", fileNameFor(path))).ino;
    const unchanged = ["/api/v2/components.json", "/api/v2/status.json", "/api/v2/scheduled-maintenances.json"];
    const before = unchanged.map(fileOf);
    const front = fileOf("/");

    compressions = 0;
    await postIncidentUpdate(s.deps, incident.id, { status: "identified", body: "Found it", notify: false });
    counting.touch({ incidents: [incident.id] });
    await counting.idle();
    expect(s.text("/")).toContain("Found it");
    expect(s.text(`/incidents/${incident.id}`)).toContain("Found it");
    expect(fileOf("/")).not.toBe(front);
    // Rendered again, the same bytes: neither compressed nor written.
    expect(unchanged.map(fileOf)).toEqual(before);
    const { publishes } = counting.state;
    // The incident's page, `/`, summary.json, incidents.json, unresolved.json, the feeds, its month: not 30-odd.
    expect(compressions).toBeGreaterThanOrEqual(2 * 6);
    expect(compressions).toBeLessThanOrEqual(2 * 14);
    expect(publishes).toBe(2);
  });

  it("coalesces a burst of changes into a few publishes", async () => {
    const s = await setup();
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const incident = await openIncident(s.deps, {
        name: `Burst ${i}`,
        status: "investigating",
        components: {},
        notify: false,
      });
      ids.push(incident.id);
      s.publisher.touch({ incidents: [incident.id] });
    }
    await s.publisher.idle();
    expect(s.publisher.state.publishes).toBeLessThanOrEqual(2);
    for (const id of ids) expect(s.text(`/incidents/${id}`)).toBeDefined();
  });

  it("removes the page of a deleted incident", async () => {
    const s = await setup();
    const incident = await openIncident(s.deps, {
      name: "Mistake",
      status: "investigating",
      components: {},
      notify: false,
    });
    s.publisher.touch({ incidents: [incident.id] });
    await s.publisher.idle();
    expect(s.text(`/incidents/${incident.id}`)).toBeDefined();
    const row = await deleteIncident(s.deps, incident.id, "incident");
    s.publisher.touch({ deleted: [{ id: row.id, startedAt: row.startedAt }] });
    await s.publisher.idle();
    expect(s.text(`/incidents/${incident.id}`)).toBeUndefined();
    expect(s.text("/")).not.toContain("Mistake");
  });

  it("records a failed publish where staff can see it and retries until it lands", async () => {
    let failuresLeft = 1;
    const s = await setup((real) => ({
      render: (path, locals) => {
        if (path === "/" && failuresLeft-- > 0) return Promise.reject(new Error("renderer exploded"));
        return real.render(path, locals);
      },
    }));
    s.publisher.touch({});
    await new Promise((r) => setTimeout(r, 50));
    expect(s.publisher.state.lastError).toBe("renderer exploded");
    await s.publisher.idle();
    expect(s.publisher.state.lastError).toBeNull();
    expect(s.text("/")).toContain("All Systems Operational");
  });

  it("keeps published pages on disk so that a restart serves them before the first publish", async () => {
    const s = await setup();
    s.publisher.touch({});
    await s.publisher.idle();
    const reopened = new FileStore(s.store.root);
    expect(new TextDecoder().decode(reopened.get("/")!.body)).toContain("All Systems Operational");
    expect((await reopened.paths()).sort()).toContain("/api/v2/summary.json");
  });
});

describe("serving a published page", () => {
  it("answers with the compression the client prefers, an ETag, and 304 when it has not changed", async () => {
    const s = await setup();
    s.publisher.touch({});
    await s.publisher.idle();
    const page = s.store.get("/")!;
    const none = { ifNoneMatch: null, acceptEncoding: null };

    const br = answerFromPage(page, "GET", { ...none, acceptEncoding: "gzip, deflate, br" });
    expect(br.headers["content-encoding"]).toBe("br");
    expect(brotliDecompressSync(br.body!).toString()).toContain("All Systems Operational");

    const gz = answerFromPage(page, "GET", { ...none, acceptEncoding: "gzip" });
    expect(gz.headers["content-encoding"]).toBe("gzip");
    expect(gunzipSync(gz.body!).toString()).toContain("All Systems Operational");
    expect(gz.headers.etag).not.toBe(br.headers.etag);

    const plain = answerFromPage(page, "GET", { ...none, acceptEncoding: "br;q=0, gzip;q=0" });
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.headers["content-type"]).toBe("text/html; charset=utf-8");

    const again = answerFromPage(page, "GET", { ifNoneMatch: gz.headers.etag!, acceptEncoding: "gzip" });
    expect(again.status).toBe(304);
    expect(again.body).toBeNull();

    const head = answerFromPage(page, "HEAD", { ...none, acceptEncoding: "gzip" });
    expect(head.status).toBe(200);
    expect(head.body).toBeNull();
    expect(head.headers["content-length"]).toBe(String(page.gzip.byteLength));
  });
});

describe("restarting", () => {
  it("renders again only the incidents changed since the last publish, unless the renderer changed", async () => {
    const s = await setup();
    const a = await openIncident(s.deps, { name: "A", status: "resolved", components: {}, notify: false });
    const b = await openIncident(s.deps, { name: "B", status: "investigating", components: {}, notify: false });
    const restart = (version: string) =>
      createPublisher({
        ...s.deps,
        renderer: { render: (path, locals) => (s.rendered.push(path), real.render(path, locals)) },
        rendererVersion: version,
        store: s.store,
        compress: zlibCompressor,
      });
    const real = await loadRenderer();

    s.clock.advance(60_000);
    const first = restart("v1");
    first.touch({ resume: true });
    await first.idle();
    expect(s.rendered).toEqual(expect.arrayContaining([`/incidents/${a.id}`, `/incidents/${b.id}`]));

    s.clock.advance(60_000);
    await postIncidentUpdate(s.deps, b.id, { status: "identified", notify: false });
    s.rendered.length = 0;
    const second = restart("v1");
    second.touch({ resume: true });
    await second.idle();
    expect(s.rendered).toContain(`/incidents/${b.id}`);
    expect(s.rendered).not.toContain(`/incidents/${a.id}`);
    expect(s.text(`/incidents/${b.id}`)).toContain("Identified");

    s.rendered.length = 0;
    const upgraded = restart("v2");
    upgraded.touch({ resume: true });
    await upgraded.idle();
    expect(s.rendered).toEqual(expect.arrayContaining([`/incidents/${a.id}`, `/incidents/${b.id}`]));
  });
});

describe("publishers that never resume (one per Workers invocation)", () => {
  it("leave the marker to a resume, so pages of an older renderer are still rendered again", async () => {
    const s = await setup();
    const a = await openIncident(s.deps, { name: "A", status: "resolved", components: {}, notify: false });
    const real = await loadRenderer();
    const publisher = (version: string) =>
      createPublisher({
        ...s.deps,
        renderer: { render: (path, locals) => (s.rendered.push(path), real.render(path, locals)) },
        rendererVersion: version,
        store: s.store,
        compress: zlibCompressor,
        markerOnlyAfterResume: true,
      });
    const before = publisher("v1");
    before.touch({ resume: true });
    await before.idle();
    expect((await s.store.readMarker())?.rendererVersion).toBe("v1");

    // After a deploy, a write publishes what it changed before any resume has run.
    s.clock.advance(60_000);
    const b = await openIncident(s.deps, { name: "B", status: "investigating", components: {}, notify: false });
    const write = publisher("v2");
    write.touch({ incidents: [b.id] });
    await write.idle();
    expect((await s.store.readMarker())?.rendererVersion).toBe("v1");

    s.rendered.length = 0;
    const tick = publisher("v2");
    tick.touch({ resume: true });
    await tick.idle();
    expect(s.rendered).toContain(`/incidents/${a.id}`);
    expect((await s.store.readMarker())?.rendererVersion).toBe("v2");
  });
});

describe("a whole history rendered elsewhere", () => {
  it("publishes the front page at once, takes the incident pages from the other renderer, then records the marker", async () => {
    const s = await setup();
    const old = await openIncident(s.deps, { name: "Old", status: "resolved", components: {}, notify: false });
    s.clock.advance(60_000);
    let finishHistory!: () => void;
    const renderedElsewhere: string[] = [];
    const real = await loadRenderer();
    const elsewhere = createPublisher({
      ...s.deps,
      renderer: { render: (path, locals) => (renderedElsewhere.push(path), real.render(path, locals)) },
      store: s.store,
      compress: zlibCompressor,
      historyOnly: true,
    });
    const publisher = createPublisher({
      ...s.deps,
      renderer: await loadRenderer(),
      rendererVersion: "v2",
      store: s.store,
      compress: zlibCompressor,
      renderHistory: async () => {
        await new Promise<void>((r) => (finishHistory = r));
        elsewhere.touch({ everything: true });
        await elsewhere.idle();
      },
    });
    publisher.touch({ resume: true });
    await publisher.idle();
    expect(s.text("/")).toContain("All Systems Operational");
    expect(await s.store.readMarker()).toBeUndefined();

    // A change while the history renders elsewhere is published here, and again after the other renderer is done.
    const fresh = await openIncident(s.deps, { name: "Fresh", status: "investigating", components: {}, notify: false });
    publisher.touch({ incidents: [fresh.id] });
    await publisher.idle();
    finishHistory();
    while (publisher.state.historyRendering) await new Promise((r) => setTimeout(r, 10));
    await publisher.idle();
    expect(s.text(`/incidents/${old.id}`)).toContain("Old");
    expect(s.text(`/incidents/${fresh.id}`)).toContain("Fresh");
    expect(publisher.state.lastError).toBeNull();
    // The other process renders the history only (incident and month pages): the page-wide documents stay the
    // server's, from fresher data.
    expect(renderedElsewhere.filter((p) => !/^\/(incidents|history)\//.test(p))).toEqual([]);
    expect(renderedElsewhere).toContain("/history/2026-11/1");
    expect(s.text("/")).toContain("Fresh");
    expect((await s.store.readMarker())?.rendererVersion).toBe("v2");
  });
});
