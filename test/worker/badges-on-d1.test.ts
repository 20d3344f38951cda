import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPage } from "@/api/publish/page";
import { zlibCompressor } from "@/api/publish/zlib-compressor";
import { responseFromPage } from "@/api/publish/serve";
import { headerPolicy } from "@/api/security-headers";
import { badgeSvg, componentBadge } from "@/present/badges";
import { D1PageStore } from "@/worker/d1-store";
import { startD1 } from "./d1";

/** Badges on Workers: kept in D1's published_pages like every page, and found by folder without reading the rest. */
let d1: Awaited<ReturnType<typeof startD1>>;

beforeAll(async () => {
  d1 = await startD1();
}, 180_000);

afterAll(async () => {
  await d1?.dispose();
});

describe("badges on D1", () => {
  it("keeps a badge as an SVG and serves it with its ETag, compressed, with a policy that lets it load nothing", async () => {
    const store = new D1PageStore(d1.db, undefined);
    const svg = badgeSvg(componentBadge("Webtix", "major_outage"));
    await store.replace([await buildPage("/badge/webtix.svg", svg, zlibCompressor)], [], 1_000);
    store.clearMemory();
    const page = (await store.get("/badge/webtix.svg"))!;
    expect(page.contentType).toBe("image/svg+xml");
    const res = responseFromPage(
      page,
      new Request("https://status.example.com/badge/webtix.svg", { headers: { "accept-encoding": "gzip" } }),
      headerPolicy(undefined, "https://status.example.com"),
    );
    expect(res.headers.get("content-encoding")).toBe("gzip");
    expect(res.headers.get("etag")).toBe(`${page.etag.slice(0, -1)}-gzip"`);
    expect(res.headers.get("content-security-policy")).toBe("default-src 'none'");
  });

  it("lists the badge folder alone, so a publish finds a removed component's badges cheaply", async () => {
    const store = new D1PageStore(d1.db, undefined);
    const pages = await Promise.all(
      ["/badge.svg", "/badge/tix1.svg", "/badge/tix1.json", "/badges-elsewhere", "/incidents/x"].map((p) =>
        buildPage(p, "x", zlibCompressor),
      ),
    );
    await store.replace(pages, [], 2_000);
    expect((await store.paths("/badge/")).sort()).toEqual(["/badge/tix1.json", "/badge/tix1.svg", "/badge/webtix.svg"]);
    expect(await store.paths()).toEqual(expect.arrayContaining(["/badge.svg", "/incidents/x", "/badges-elsewhere"]));
  });
});
