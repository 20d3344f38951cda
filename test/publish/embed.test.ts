import { statSync } from "node:fs";
import { join } from "node:path";
import { brotliDecompressSync, gunzipSync } from "node:zlib";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fileNameFor } from "@/api/publish/page";
import { makeApp } from "@/test/support/app";
import { openIncident, scheduleMaintenance, type TestApp } from "@/test/support/factories";

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
const bytes = async (res: Response) => new Uint8Array(await res.arrayBuffer());
const cspOf = (res: Response) =>
  new Map(
    (res.headers.get("content-security-policy") ?? "").split(";").map((d) => {
      const [name, ...values] = d.trim().split(/\s+/);
      return [name!, values.join(" ")];
    }),
  );

describe("the embed script, /embed.js", () => {
  it("is published as JavaScript with an ETag, answered 304 when unchanged, gzip and brotli each within 3 KB", async () => {
    const plain = await get("/embed.js");
    expect(plain.status).toBe(200);
    expect(plain.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(plain.headers.get("x-content-type-options")).toBe("nosniff");
    const source = new TextDecoder().decode(await bytes(plain));
    expect(source).toContain("/api/v2/summary.json");
    for (const [encoding, decode] of [
      ["br", brotliDecompressSync],
      ["gzip", gunzipSync],
    ] as const) {
      const res = await get("/embed.js", { "accept-encoding": encoding });
      expect(res.headers.get("content-encoding")).toBe(encoding);
      const sent = await bytes(res);
      // The budget: at most 3 KB as the reader's browser receives it.
      expect(sent.byteLength, encoding).toBeLessThanOrEqual(3 * 1024);
      expect(Number(res.headers.get("content-length"))).toBe(sent.byteLength);
      expect(new TextDecoder().decode(decode(sent))).toBe(source);
      const etag = res.headers.get("etag")!;
      const again = await get("/embed.js", { "accept-encoding": encoding, "if-none-match": etag });
      expect(again.status).toBe(304);
    }
  });

  it("inserts what summary.json says as text, never as markup", async () => {
    const source = await (await get("/embed.js")).text();
    expect(source).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/);
    expect(source).toContain("textContent");
  });

  it("loads nothing from anywhere but the origin it was served from", async () => {
    const source = await (await get("/embed.js")).text();
    expect(source).not.toMatch(/https?:\/\//);
    expect(source).toContain("currentScript");
  });

  it("is not rewritten by a publish: it changes only with the build", async () => {
    const file = () => statSync(join(t.dir, "site", fileNameFor("/embed.js"))).ino;
    const before = file();
    await openIncident(t, { name: "Slow emails", status: "investigating" });
    await t.publisher.idle();
    expect(file()).toBe(before);
  });
});

describe("the embed page, /embed", () => {
  it("says all is well while nothing is wrong", async () => {
    const res = await get("/embed");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    const html = await res.text();
    expect(html).toContain("All Systems Operational");
    // One inline script of its own (it keeps the frame current), none from anywhere else.
    expect(html.match(/<script/gi)).toHaveLength(1);
    expect(html).not.toMatch(/<script[^>]*\ssrc=/i);
  });

  it("shows an open incident as text with a link to its page, and forgets it once resolved", async () => {
    const name = "<img src=x onerror=alert(1)>";
    const incident = await openIncident(t, { name, status: "identified" });
    await t.publisher.idle();
    const html = await (await get("/embed")).text();
    expect(html).not.toContain("<img");
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(html).toContain(`href="/incidents/${incident.id}"`);
    expect(html).toContain("Identified:");
    expect(html).not.toContain("All Systems Operational");
    await t.call("POST", `/api/v1/incidents/${incident.id}/resolve`, { body: "Fixed." });
    await t.publisher.idle();
    const after = await (await get("/embed")).text();
    expect(after).not.toContain(incident.id);
    expect(after).toContain("All Systems Operational");
  });

  it("shows a maintenance while it is under way", async () => {
    const maintenance = await scheduleMaintenance(t, { name: "Database upgrade" });
    await t.publisher.idle();
    expect(await (await get("/embed")).text()).not.toContain("Database upgrade");
    await t.call("POST", `/api/v1/maintenances/${maintenance.id}/updates`, { status: "in_progress", notify: false });
    await t.publisher.idle();
    const html = await (await get("/embed")).text();
    expect(html).toContain("Maintenance in progress:");
    expect(html).toContain(`href="/incidents/${maintenance.id}"`);
  });

  it("may be framed by any site, while every other page keeps refusing frames", async () => {
    const embed = await get("/embed");
    expect(cspOf(embed).get("frame-ancestors")).toBe("*");
    // The rest of its policy is the pages' own: it runs no script and loads nothing.
    expect(cspOf(embed).get("script-src")).toMatch(/^('sha256-[^']+'\s*)+$|^'none'$/);
    expect(cspOf(embed).get("default-src")).toBe("'none'");
    expect(cspOf(await get("/embed/")).get("frame-ancestors")).toBe("*");
    const incident = await openIncident(t, { name: "Slow emails" });
    await t.publisher.idle();
    for (const path of ["/", "/history", `/incidents/${incident.id}`]) {
      const res = await get(path);
      expect(res.status, path).toBe(200);
      expect(cspOf(res).get("frame-ancestors"), path).toBe("'none'");
    }
    const console = await get("/admin/login");
    expect(cspOf(console).get("frame-ancestors")).toBe("'none'");
    expect(console.headers.get("x-frame-options")).toBe("DENY");
    // A path that merely starts like it is not the embed.
    expect((await get("/embedded")).status).toBe(404);
  });
});
