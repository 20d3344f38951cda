import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { Response as MiniflareResponse } from "miniflare";
import { buildPage, type PublishedPage } from "@/api/publish/page";
import { zlibCompressor } from "@/api/publish/zlib-compressor";
import { D1PageStore } from "@/worker/d1-store";
import { startD1 } from "./d1";

/**
 * The Workers page store against a real D1 (workerd's, through Miniflare) with the real migrations, and the real
 * Cache API in front of it.
 */
let d1: Awaited<ReturnType<typeof startD1>>;
let db: D1Database;
let edge: Cache;

beforeAll(async () => {
  d1 = await startD1();
  db = d1.db;
  edge = (await d1.mf.getCaches()).default as unknown as Cache;
}, 180_000);

afterAll(async () => {
  await d1?.dispose();
});

const page = (path: string, text: string) => buildPage(path, text, zlibCompressor);
const text = (p: PublishedPage | undefined) => (p ? new TextDecoder().decode(p.body) : undefined);

describe("the D1 page store", () => {
  it("keeps all three encodings byte for byte, and serves them back from D1", async () => {
    const store = new D1PageStore(db, undefined);
    const published = await page("/api/v2/summary.json", JSON.stringify({ status: "ok", n: "x".repeat(5000) }));
    await store.replace([published], [], 1_000);
    store.clearMemory();
    const read = (await store.get("/api/v2/summary.json"))!;
    expect(read.etag).toBe(published.etag);
    expect(read.contentType).toBe("application/json; charset=utf-8");
    for (const key of ["body", "gzip", "br"] as const) expect([...read[key]]).toEqual([...published[key]]);
    expect(await store.paths()).toContain("/api/v2/summary.json");
  });

  it("never lets a publish of older data replace or delete a newer page", async () => {
    const store = new D1PageStore(db, undefined);
    await store.replace([await page("/incidents/a", "newer")], [], 2_000);
    await store.replace([await page("/incidents/a", "older")], [], 1_500);
    await store.replace([], ["/incidents/a"], 1_800);
    store.clearMemory();
    expect(text(await store.get("/incidents/a"))).toBe("newer");
    // A publish of data read later replaces it, and one read later still removes it.
    await store.replace([await page("/incidents/a", "newest")], [], 2_500);
    expect(text(await store.get("/incidents/a"))).toBe("newest");
    await store.replace([], ["/incidents/a"], 3_000);
    store.clearMemory();
    expect(await store.get("/incidents/a")).toBeUndefined();
  });

  it("orders publishes by D1's own clock: a stamp taken later is larger, whatever the isolate's clock says", async () => {
    const [a, b] = [new D1PageStore(db, undefined), new D1PageStore(db, undefined)];
    const first = await a.readStamp(5_000_000);
    // The other isolate's Date.now() stands still, or even behind: its stamp still comes after.
    const second = await b.readStamp(4_000_000);
    const third = await a.readStamp(second);
    expect(first).toBeGreaterThanOrEqual(5_000_000);
    expect(second).toBeGreaterThan(first);
    expect(third).toBeGreaterThan(second);
    // So the publish that read later wins, though its isolate's clock was behind.
    await a.replace([await page("/stamped", "read first")], [], first);
    await b.replace([await page("/stamped", "read second")], [], second);
    await a.replace([await page("/stamped", "read first")], [], first);
    a.clearMemory();
    expect(text(await a.get("/stamped"))).toBe("read second");
  });

  it("remembers a miss for a moment, and a publish here makes the page visible at once", async () => {
    const store = new D1PageStore(db, undefined);
    expect(await store.get("/incidents/later")).toBeUndefined();
    // A row that arrives behind this isolate's back (another isolate's publish) is not seen within the moment.
    const other = await page("/incidents/later", "elsewhere");
    await db
      .prepare("INSERT INTO published_pages VALUES (?1, ?2, ?3, ?4, ?5, ?6, 7000)")
      .bind(other.path, other.contentType, other.etag, other.body, other.gzip, other.br)
      .run();
    expect(await store.get("/incidents/later")).toBeUndefined();
    store.clearMemory();
    expect(text(await store.get("/incidents/later"))).toBe("elsewhere");
    // A publish through this store is seen at once.
    await store.replace([await page("/incidents/later", "here")], [], 8_000);
    expect(text(await store.get("/incidents/later"))).toBe("here");
  });

  it("keeps the marker of the furthest publish", async () => {
    const store = new D1PageStore(db, undefined);
    const marker = { rendererVersion: "v1", settingsUpdatedAt: 1, siteUrl: null };
    await store.writeMarker({ ...marker, through: 10_000 });
    await store.writeMarker({ ...marker, through: 9_000 });
    expect((await store.readMarker())?.through).toBe(10_000);
  });

  it("answers from the data centre's cache, and a publish here drops what it replaced", async () => {
    // Miniflare's Cache proxy takes its own Response class, as workerd's cache takes the runtime's.
    const nodeResponse = globalThis.Response;
    globalThis.Response = MiniflareResponse as unknown as typeof Response;
    onTestFinished(() => {
      globalThis.Response = nodeResponse;
    });
    const store = new D1PageStore(db, edge);
    await store.replace([await page("/", "first")], [], 5_000);
    expect(text(await store.get("/"))).toBe("first");
    // Gone from D1 but still cached: the cache answers, without a query.
    await db.prepare("DELETE FROM published_pages WHERE path = '/'").run();
    store.clearMemory();
    expect(text(await store.get("/"))).toBe("first");
    await store.replace([await page("/", "second")], [], 6_000);
    store.clearMemory();
    expect(text(await store.get("/"))).toBe("second");
  });
});
