import { statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { z } from "zod";
import { publishedBadges } from "@/api/publish/badges";
import { fileNameFor } from "@/api/publish/page";
import { loadSnapshot } from "@/api/publish/snapshot";
import { zlibCompressor } from "@/api/publish/zlib-compressor";
import {
  badgeJson,
  badgeNames,
  badgeSvg,
  componentBadge,
  labelColour,
  overallBadge,
  slugOf,
  textColour,
  toneColours,
} from "@/present/badges";
import { textWidth } from "@/present/badge-widths";
import { contrast } from "@/test/support/contrast";
import { createComponent, openIncident, seededComponentId, type TestApp } from "@/test/support/factories";
import { makeApp } from "@/test/support/app";

/** shields.io's endpoint schema (services/endpoint-common.js), as strict as shields is: unknown keys are refused. */
const ShieldsEndpoint = z.strictObject({
  schemaVersion: z.literal(1),
  label: z.string(),
  message: z.string().min(1),
  color: z.string().optional(),
  labelColor: z.string().optional(),
  isError: z.boolean().optional(),
  namedLogo: z.string().optional(),
  logoSvg: z.string().optional(),
  logoColor: z.string().optional(),
  logoWidth: z.number().optional(),
  style: z.string().optional(),
  cacheSeconds: z.int().min(0).optional(),
});

describe("a badge", () => {
  it("says the page's status in words, with a title and an aria-label for screen readers", () => {
    const svg = badgeSvg(overallBadge({ indicator: "major", description: "Partial System Outage" }));
    expect(svg).toContain('role="img"');
    expect(svg).toContain('aria-label="status: partial system outage"');
    expect(svg).toContain("<title>status: partial system outage</title>");
    expect(svg).toContain(`fill="${toneColours.major}"`);
  });

  it("escapes a component's name: markup in a name stays text", () => {
    const svg = badgeSvg(componentBadge(`<script>alert(1)</script> & "co"`, "major_outage"));
    expect(svg).not.toContain("<script>");
    expect(svg).toContain("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;co&quot;");
    expect(svg).toMatch(/aria-label="&lt;script&gt;[^"]*: major outage"/);
  });

  it("drops direction overrides from a name, so it cannot show other words than it has", () => {
    expect(componentBadge("\u202Etix1", "operational").label).toBe("tix1");
  });

  it("is wide enough for its text in Verdana 11px, with five pixels on each side", () => {
    const svg = badgeSvg(componentBadge("Webtix", "operational"));
    const width = Number(svg.match(/<svg[^>]* width="(\d+)"/)![1]);
    expect(width).toBe(Math.ceil(textWidth("Webtix") + 10) + Math.ceil(textWidth("operational") + 10));
    expect(textWidth("Köln")).toBeGreaterThan(textWidth("Kln"));
    // A character the table does not list counts wider than any it lists.
    expect(textWidth("界")).toBeGreaterThan(textWidth("W"));
  });

  it("keeps white text at a contrast of at least 4.5:1 on both halves, for every status", () => {
    expect(contrast(textColour, labelColour)).toBeGreaterThanOrEqual(4.5);
    for (const colour of Object.values(toneColours)) expect(contrast(textColour, colour)).toBeGreaterThanOrEqual(4.5);
  });

  it("is offered as shields.io endpoint JSON", () => {
    const json = badgeJson(componentBadge("tix1", "degraded_performance"));
    expect(ShieldsEndpoint.parse(json)).toEqual(json);
    expect(json).toEqual({
      schemaVersion: 1,
      label: "tix1",
      message: "degraded performance",
      color: toneColours.minor,
    });
  });
});

describe("badge paths", () => {
  it("slugs a name to lowercase ASCII joined by dashes", () => {
    expect(slugOf("Webtix (Köln)")).toBe("webtix-koln");
    expect(slugOf("  Ticketing servers!! ")).toBe("ticketing-servers");
    expect(slugOf("../../etc/passwd")).toBe("etc-passwd");
    expect(slugOf("日本")).toBe("");
  });

  it("gives a duplicate name's slug to the oldest component only; the others keep their id", () => {
    const older = { id: "aaaaaaaaaaaa", name: "tix1", status: "operational" as const, createdAt: 1 };
    const newer = { id: "bbbbbbbbbbbb", name: "TIX1", status: "operational" as const, createdAt: 2 };
    const other = { id: "cccccccccccc", name: "日本", status: "operational" as const, createdAt: 3 };
    const impostor = { id: "dddddddddddd", name: "aaaaaaaaaaaa", status: "operational" as const, createdAt: 4 };
    const names = Object.fromEntries(badgeNames([newer, other, older, impostor]).map((n) => [n.subject.id, n.names]));
    expect(names).toEqual({
      aaaaaaaaaaaa: ["aaaaaaaaaaaa", "tix1"],
      bbbbbbbbbbbb: ["bbbbbbbbbbbb"],
      cccccccccccc: ["cccccccccccc"],
      // A name that reads as another component's id never takes over that component's badge.
      dddddddddddd: ["dddddddddddd"],
    });
  });
});

describe("published badges", () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await makeApp();
    t.publisher.touch({ everything: true });
    await t.publisher.idle();
  });
  afterEach(async () => {
    await t.cleanup();
  });

  const get = (path: string, headers: Record<string, string> = {}) => t.app.request(path, { headers });
  const text = async (path: string) => (await get(path)).text();
  const fileOf = (path: string) => statSync(join(t.dir, "site", fileNameFor(path)));

  it("are served from the published set with their content type, ETag and compression", async () => {
    const svg = await get("/badge.svg", { "accept-encoding": "br" });
    expect(svg.status).toBe(200);
    expect(svg.headers.get("content-type")).toBe("image/svg+xml");
    expect(svg.headers.get("content-encoding")).toBe("br");
    const etag = svg.headers.get("etag")!;
    expect((await get("/badge.svg", { "accept-encoding": "br", "if-none-match": etag })).status).toBe(304);
    const json = await get("/badge.json", { origin: "https://readme.example.net" });
    expect(json.headers.get("content-type")).toContain("application/json");
    expect(json.headers.get("access-control-allow-origin")).toBe("*");
    expect(ShieldsEndpoint.parse(await json.json())).toMatchObject({ label: "status" });
    const preflight = await t.app.request("/badge/tix1.json", {
      method: "OPTIONS",
      headers: { origin: "https://readme.example.net", "access-control-request-headers": "if-none-match" },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("*");
  });

  it("may run and load nothing when an SVG is opened on its own", async () => {
    const svg = await get("/badge.svg");
    expect(svg.headers.get("content-security-policy")).toBe("default-src 'none'");
    expect(svg.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("show a component's new status after it changes, by id and by slug", async () => {
    const tix1 = await seededComponentId(t, "tix1");
    expect(await text(`/badge/${tix1}.svg`)).toContain("tix1: operational");
    await t.call("PATCH", `/api/v1/components/${tix1}`, { status: "major_outage" });
    await t.publisher.idle();
    for (const path of [`/badge/${tix1}.svg`, "/badge/tix1.svg"]) {
      expect(await text(path)).toContain("<title>tix1: major outage</title>");
    }
    expect(JSON.parse(await text("/badge/tix1.json"))).toMatchObject({ message: "major outage" });
    expect(await text("/badge.svg")).toContain("status: partial system outage");
    // A group has a badge too, with its members' worst status.
    expect(await text("/badge/ticketing-servers.svg")).toContain("<title>Ticketing servers: major outage</title>");
  });

  it("are not rewritten when a change leaves their status alone", async () => {
    const tix1 = await seededComponentId(t, "tix1");
    const before = [fileOf("/badge.svg").ino, fileOf(`/badge/${tix1}.svg`).ino, fileOf("/badge/tix1.json").ino];
    const front = fileOf("/").ino;
    await openIncident(t, { name: "Slow emails", status: "investigating" });
    await t.publisher.idle();
    expect(fileOf("/").ino).not.toBe(front);
    expect([fileOf("/badge.svg").ino, fileOf(`/badge/${tix1}.svg`).ino, fileOf("/badge/tix1.json").ino]).toEqual(
      before,
    );
  });

  it("are compressed again only when their bytes change", async () => {
    let compressed = 0;
    const counting = {
      gzip: (data: Uint8Array) => (compressed++, zlibCompressor.gzip(data)),
      br: (data: Uint8Array) => (compressed++, zlibCompressor.br(data)),
    };
    const snapshot = () => loadSnapshot(t.deps.db, t.deps.clock());
    expect((await publishedBadges(await snapshot(), t.store, counting)).pages).toEqual([]);
    expect(compressed).toBe(0);
    const tix1 = await seededComponentId(t, "tix1");
    await t.call("PATCH", `/api/v1/components/${tix1}`, { status: "major_outage" });
    const { pages } = await publishedBadges(await snapshot(), t.store, counting);
    // tix1's badges (by id and by slug), its group's and the page's change; no other component's does.
    const paths = pages.map((p) => p.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        "/badge.svg",
        "/badge.json",
        `/badge/${tix1}.svg`,
        "/badge/tix1.json",
        "/badge/ticketing-servers.svg",
      ]),
    );
    expect(paths.filter((p) => /webtix|wintix/.test(p))).toEqual([]);
    expect(compressed).toBe(2 * pages.length);
  });

  it("are looked for in the published folder only when the set of components changes", async () => {
    const listed: string[] = [];
    const store = new Proxy(t.store, {
      get: (target, key) =>
        key === "paths"
          ? (under?: string) => (listed.push(under ?? "/"), target.paths(under))
          : Reflect.get(target, key, target),
    });
    const badges = async () => publishedBadges(await loadSnapshot(t.deps.db, t.deps.clock()), store, zlibCompressor);
    expect((await badges()).deletions).toEqual([]);
    expect((await badges()).deletions).toEqual([]);
    expect(listed).toEqual(["/badge/"]);
    // A new component changes the set: the folder is listed again (and found clean).
    await createComponent(t, { name: "Box office" });
    await t.publisher.idle();
    await badges();
    await badges();
    expect(listed).toEqual(["/badge/", "/badge/"]);
    // A badge nothing publishes any more is found, and looked for again until a publish has removed it.
    await t.store.replace([{ ...(await t.store.get("/badge.svg"))!, path: "/badge/gone.svg" }], []);
    const fresh = new Proxy(store, {}); // another store to the cache: it has listed nothing yet
    const again = async () => publishedBadges(await loadSnapshot(t.deps.db, t.deps.clock()), fresh, zlibCompressor);
    listed.length = 0;
    expect((await again()).deletions).toEqual(["/badge/gone.svg"]);
    expect((await again()).deletions).toEqual(["/badge/gone.svg"]);
    await t.store.replace([], ["/badge/gone.svg"]);
    expect((await again()).deletions).toEqual([]);
    expect((await again()).deletions).toEqual([]);
    expect(listed).toHaveLength(3);
  });

  it("of a renamed or deleted component are removed", async () => {
    const made = await createComponent(t, { name: "Box office" });
    await t.publisher.idle();
    expect((await get("/badge/box-office.svg")).status).toBe(200);
    await t.call("PATCH", `/api/v1/components/${made.id}`, { name: "Ticket desk" });
    await t.publisher.idle();
    expect((await get("/badge/box-office.svg")).status).toBe(404);
    expect((await get("/badge/box-office.json")).status).toBe(404);
    expect(await text("/badge/ticket-desk.svg")).toContain("Ticket desk: operational");
    await t.call("DELETE", `/api/v1/components/${made.id}`);
    await t.publisher.idle();
    for (const path of [`/badge/${made.id}.svg`, "/badge/ticket-desk.svg", "/badge/ticket-desk.json"]) {
      expect((await get(path)).status, path).toBe(404);
    }
  });

  it("escape a component named like markup in the published file", async () => {
    await createComponent(t, { name: "<script>alert(1)</script>&" });
    await t.publisher.idle();
    const svg = await text("/badge/script-alert-1-script.svg");
    expect(svg).not.toContain("<script>");
    expect(svg).toContain("&lt;script&gt;alert(1)&lt;/script&gt;&amp;");
  });
});
