import { createHash } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { frameAncestors, headerPolicy } from "@/api/security-headers";
import { makeApp } from "@/test/support/app";
import type { TestApp } from "@/test/support/factories";

let t: TestApp;
beforeEach(async () => {
  t = await makeApp();
});
afterEach(async () => {
  await t.cleanup();
});

const hashOf = (source: string) => `'sha256-${createHash("sha256").update(source).digest("base64")}'`;
const inline = (html: string, tag: "script" | "style") =>
  [...html.matchAll(new RegExp(`<${tag}(?: [^>]*)?>([\\s\\S]*?)</${tag}>`, "g"))].map((m) => m[1]!);

/** The directives of a Content-Security-Policy, by name. */
function directives(policy: string | null): Map<string, string[]> {
  expect(policy).toBeTruthy();
  return new Map(
    policy!.split(";").map((d) => {
      const [name, ...values] = d.trim().split(/\s+/);
      return [name!, values];
    }),
  );
}

/** What every HTML document must carry: its own inline code allowed by hash, nothing inline besides, no framing. */
function expectStrictPolicy(res: Response, html: string) {
  const csp = directives(res.headers.get("content-security-policy"));
  expect(csp.get("default-src")).toEqual(["'none'"]);
  expect(csp.get("frame-ancestors")).toEqual(["'none'"]);
  expect(csp.get("base-uri")).toEqual(["'none'"]);
  expect(csp.get("form-action")).toEqual(["'self'"]);
  for (const name of ["script-src", "style-src"]) {
    expect(csp.get(name)!.join(" ")).not.toMatch(/unsafe|\*|https?:|data:/);
  }
  for (const script of inline(html, "script")) expect(csp.get("script-src")).toContain(hashOf(script));
  for (const style of inline(html, "style")) expect(csp.get("style-src")).toContain(hashOf(style));
  expect(res.headers.get("x-content-type-options")).toBe("nosniff");
}

async function publishedHome() {
  t.publisher.touch({ everything: true });
  await t.publisher.idle();
  const res = await t.app.request("/");
  expect(res.status).toBe(200);
  return { res, html: await res.text() };
}

describe("security headers", () => {
  it("a published page allows only the build's own inline scripts and styles, by hash, and no framing", async () => {
    const { res, html } = await publishedHome();
    expect(inline(html, "script")).toHaveLength(2);
    expectStrictPolicy(res, html);
    expect(res.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    expect(res.headers.get("strict-transport-security")).toBeNull();
  });

  it("a script injected into a page is not allowed: the policy comes from the build, not from the page", async () => {
    const { res } = await publishedHome();
    const scripts = directives(res.headers.get("content-security-policy")).get("script-src")!;
    expect(scripts).not.toContain(hashOf("alert(document.cookie)"));
    expect(scripts.every((s) => s.startsWith("'sha256-"))).toBe(true);
  });

  it("304s and other published documents carry the same headers", async () => {
    const { res } = await publishedHome();
    const again = await t.app.request("/", { headers: { "if-none-match": res.headers.get("etag")! } });
    expect(again.status).toBe(304);
    expect(again.headers.get("content-security-policy")).toBe(res.headers.get("content-security-policy"));
    const json = await t.app.request("/api/v2/summary.json");
    expect(json.headers.get("x-content-type-options")).toBe("nosniff");
    expect(json.headers.get("content-security-policy")).toBeNull();
  });

  it("the API, its errors and the health check say nosniff and keep the referrer to the origin", async () => {
    for (const res of [
      await t.call("GET", "/api/v1/components"),
      await t.call("GET", "/api/v1/components", undefined, { scope: null }),
      await t.call("POST", "/api/v1/incidents", "{"),
      await t.app.request("/no-such-page"),
      await t.app.request("/healthz"),
    ]) {
      expect(res.headers.get("x-content-type-options"), res.url).toBe("nosniff");
      expect(res.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    }
  });

  it("the console is never framed and sends no referrer to other sites", async () => {
    const res = await t.app.request("/admin/login");
    const html = await res.text();
    expectStrictPolicy(res, html);
    expect(res.headers.get("referrer-policy")).toBe("same-origin");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
  });

  it("subscription pages, whose URLs carry tokens, send no referrer at all", async () => {
    for (const path of ["/subscribe/confirm/nonsense", "/unsubscribe/nonsense", "/manage/nonsense"]) {
      const res = await t.app.request(path);
      expect(res.status).toBe(404);
      expectStrictPolicy(res, await res.text());
      expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    }
  });
});

describe("the header policy", () => {
  it("asks for HSTS only when the page's public address is https", () => {
    const https = headerPolicy({ scripts: [], styles: [] }, "https://status.example.com");
    expect(https.common["strict-transport-security"]).toBe("max-age=31536000");
    for (const siteUrl of ["http://status.example.com", undefined, null]) {
      expect(headerPolicy({ scripts: [], styles: [] }, siteUrl).common["strict-transport-security"]).toBeUndefined();
    }
  });

  it("takes frame-ancestors for published pages from one place, and never lets the console be framed", () => {
    const policy = headerPolicy({ scripts: ["a()"], styles: [] }, undefined);
    expect(policy.csp("/")).toContain(`frame-ancestors ${frameAncestors("/")}`);
    expect(policy.csp("/admin")).toContain("frame-ancestors 'none'");
    expect(policy.csp("/admin/login")).toContain("frame-ancestors 'none'");
    expect(policy.csp("/")).toContain(`script-src ${hashOf("a()")}`);
    expect(policy.csp("/")).toContain("style-src 'none'");
  });
});
