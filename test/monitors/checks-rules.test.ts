import { describe, expect, it } from "vitest";
import { judgeCertificate } from "@/api/monitors/check-certificate";
import { describeError } from "@/api/monitors/check-errors";
import { keywordCapBytes, scanForKeyword } from "@/api/monitors/check-keyword";
import { judgeTiming, nextHop, parseStatusRanges, statusMatches } from "@/api/monitors/check-rules";
import { findComponent, judgeSummary, summaryUrl } from "@/api/monitors/check-statuspage";

const bytes = (s: string) => new TextEncoder().encode(s);

describe("expected status ranges", () => {
  it("reads single codes, ranges and lists of both", () => {
    const ranges = parseStatusRanges("200, 204,300-302");
    expect(ranges).toEqual([
      [200, 200],
      [204, 204],
      [300, 302],
    ]);
    if (typeof ranges === "string") throw new Error(ranges);
    expect([200, 204, 301, 302].every((s) => statusMatches(ranges, s))).toBe(true);
    expect([201, 299, 303, 500].some((s) => statusMatches(ranges, s))).toBe(false);
  });

  it.each(["", "2xx", "200-", "99", "600", "399-200", "200;204", "1000", Array(21).fill("200").join(",")])(
    "refuses %j with a reason",
    (spec) => expect(typeof parseStatusRanges(spec)).toBe("string"),
  );
});

describe("keyword scanning", () => {
  it("finds a keyword that a chunk boundary splits, and stops at the first match", () => {
    const scan = scanForKeyword("healthy");
    expect(scan.push(bytes("status: hea"))).toBe(false);
    expect(scan.push(bytes("lth"))).toBe(false);
    expect(scan.push(bytes("y and more"))).toBe(true);
    expect(scan.found).toBe(true);
  });

  it("matches UTF-8 keywords byte for byte, case-sensitively", () => {
    const scan = scanForKeyword("Ünïcode");
    const body = bytes("xx Ünïcode xx");
    scan.push(body.subarray(0, 4)); // splits "Ü" in the middle of its two bytes
    expect(scan.push(body.subarray(4))).toBe(true);
    expect(scanForKeyword("OK").push(bytes("ok"))).toBe(false);
  });

  it("never looks past the cap, even when the keyword sits right after it", () => {
    const scan = scanForKeyword("needle", 16);
    expect(scan.push(bytes("0123456789abcdefneedle"))).toBe(false);
    expect(scan.full).toBe(true);
    expect(scan.push(bytes("needle"))).toBe(false);
    expect(keywordCapBytes).toBe(1024 * 1024);
  });

  it("finds a keyword that ends exactly at the cap", () => {
    const scan = scanForKeyword("needle", 16);
    expect(scan.push(bytes("0123456789needle"))).toBe(true);
  });
});

describe("the redirect policy", () => {
  const post = { url: "https://a.example/login", method: "POST", headers: {}, body: "x" };

  it("is no redirect without a Location or for a non-3xx status", () => {
    expect(nextHop(post, 302, undefined, 0)).toBeUndefined();
    expect(nextHop(post, 200, "/x", 0)).toBeUndefined();
    expect(nextHop(post, 304, "/x", 0)).toBeUndefined();
  });

  it("resolves relative locations; 303 and a POST's 301/302 become a GET without a body, 307/308 keep it", () => {
    expect(nextHop(post, 302, "/home#top", 0)).toMatchObject({
      url: "https://a.example/home",
      method: "GET",
      body: undefined,
    });
    expect(nextHop(post, 303, "next", 0)).toMatchObject({ url: "https://a.example/next", method: "GET" });
    expect(nextHop(post, 307, "/again", 0)).toMatchObject({ method: "POST", body: "x" });
    expect(nextHop({ ...post, method: "HEAD" }, 303, "/h", 0)).toMatchObject({ method: "HEAD" });
  });

  it("goes only to http and https, and at most 5 hops", () => {
    expect(nextHop(post, 301, "file:///etc/passwd", 0)).toBe("HTTP 301 redirect to a non-http(s) URL");
    expect(nextHop(post, 301, "gopher://a.example/", 0)).toBe("HTTP 301 redirect to a non-http(s) URL");
    expect(nextHop(post, 301, "http://[bad", 0)).toBe("HTTP 301 redirect to an invalid location");
    expect(nextHop(post, 301, "/ok", 4)).toMatchObject({ url: "https://a.example/ok" });
    expect(nextHop(post, 301, "/ok", 5)).toBe("more than 5 redirects");
  });

  it("does not carry credentials to another origin", () => {
    const request = {
      url: "https://a.example/",
      method: "GET",
      headers: { Authorization: "Bearer s3cret", Cookie: "sid=1", "X-Probe": "1" },
    };
    expect(nextHop(request, 302, "/same", 0)).toMatchObject({ headers: request.headers });
    expect(nextHop(request, 302, "https://evil.example/", 0)).toMatchObject({ headers: { "X-Probe": "1" } });
    expect(nextHop(request, 302, "http://a.example/", 0)).toMatchObject({ headers: { "X-Probe": "1" } });
  });
});

describe("timing", () => {
  it("calls an answer slower than degradedMs degraded, and no threshold never", () => {
    expect(judgeTiming(501, 500)).toBe("degraded");
    expect(judgeTiming(500, 500)).toBe("up");
    expect(judgeTiming(60_000, undefined)).toBe("up");
  });
});

describe("Statuspage summaries", () => {
  const summary = (indicator: string, components: unknown[] = []) => ({ status: { indicator }, components });

  it("finds the summary from a page's base URL, and keeps a .json URL as it is", () => {
    expect(summaryUrl("https://status.example.com")).toBe("https://status.example.com/api/v2/summary.json");
    expect(summaryUrl("https://example.com/status/?x=1#y")).toBe("https://example.com/status/api/v2/summary.json");
    expect(summaryUrl("https://status.example.com/api/v2/status.json")).toBe(
      "https://status.example.com/api/v2/status.json",
    );
  });

  it.each([
    ["none", "up", "operational", "provider: Operational"],
    ["minor", "degraded", "degraded_performance", "provider: Degraded Performance"],
    ["major", "down", "partial_outage", "provider: Partial Outage"],
    ["critical", "down", "major_outage", "provider: Major Outage"],
    ["maintenance", "degraded", "under_maintenance", "provider: Under Maintenance"],
  ])("maps the page indicator %s", (indicator, outcome, providerStatus, message) => {
    expect(judgeSummary(summary(indicator), undefined)).toEqual({ outcome, providerStatus, message });
  });

  it("finds a component by id first, then by name whatever its case", () => {
    const components = [
      { id: "abc", name: "API", status: "operational" },
      { id: "def", name: "abc", status: "major_outage" },
      { id: "ghi", name: "Web Site", status: "partial_outage" },
    ];
    expect(findComponent(components, "abc")).toBe(components[0]);
    expect(findComponent(components, " web site ")).toBe(components[2]);
    expect(judgeSummary(summary("none", components), "WEB SITE")).toMatchObject({
      outcome: "down",
      providerStatus: "partial_outage",
    });
  });

  it("is down, saying why, for a missing or ambiguous component or an unknown status", () => {
    const components = [
      { id: "1", name: "CDN", status: "operational" },
      { id: "2", name: "cdn", status: "operational" },
      { id: "3", name: "Odd", status: "on_fire" },
    ];
    expect(judgeSummary(summary("none", components), "Database")).toEqual({
      outcome: "down",
      message: 'component "Database" not found on the page',
    });
    expect(judgeSummary(summary("none", components), "CDN").message).toBe(
      'component "CDN" matches 2 components on the page; use its id',
    );
    expect(judgeSummary(summary("none", components), "Odd").message).toBe(
      "the provider reports a status Marquee does not know",
    );
    expect(judgeSummary(summary("blue"), undefined).outcome).toBe("down");
  });

  it.each([null, 42, "text", [], { status: "none" }, { status: { indicator: 1 } }])(
    "is down for a document that is not a summary: %j",
    (doc) =>
      expect(judgeSummary(doc, undefined)).toEqual({
        outcome: "down",
        message: "the provider's page is not a Statuspage summary",
      }),
  );

  it("is down for a component asked of a document without components", () => {
    expect(judgeSummary({ status: { indicator: "none" } }, "API").outcome).toBe("down");
  });
});

describe("certificates", () => {
  const day = 86_400_000;
  const now = Date.UTC(2026, 10, 30);

  it("is up with enough days left, degraded with fewer than minDaysLeft, down once expired", () => {
    expect(judgeCertificate({ expiresAt: now + 30 * day, authorizationError: undefined }, 7, now, 12)).toEqual({
      outcome: "up",
      responseMs: 12,
      message: "certificate expires in 30 days",
      certificateExpiresAt: now + 30 * day,
    });
    expect(judgeCertificate({ expiresAt: now + 2.5 * day, authorizationError: undefined }, 7, now, 1)).toMatchObject({
      outcome: "degraded",
      message: "certificate expires in 2 days",
    });
    expect(
      judgeCertificate({ expiresAt: now - 3 * day, authorizationError: "CERT_HAS_EXPIRED" }, 7, now, 1),
    ).toMatchObject({
      outcome: "down",
      message: "certificate expired 3 days ago",
    });
  });

  it("is down when the chain is not trusted or does not name the host", () => {
    const seen = (authorizationError: string) => ({ expiresAt: now + 90 * day, authorizationError });
    expect(judgeCertificate(seen("DEPTH_ZERO_SELF_SIGNED_CERT"), 7, now, 1).message).toBe(
      "certificate not trusted (self-signed certificate)",
    );
    expect(judgeCertificate(seen("ERR_TLS_CERT_ALTNAME_INVALID"), 7, now, 1).message).toBe(
      "certificate does not match the host name",
    );
    expect(judgeCertificate(seen("SOMETHING_NEW"), 7, now, 1)).toMatchObject({ outcome: "down" });
  });
});

describe("error messages", () => {
  it("come from the error's code, never its message", () => {
    expect(describeError(Object.assign(new Error("x"), { code: "ECONNREFUSED" }))).toBe("connection refused");
    expect(describeError(Object.assign(new Error("x"), { code: "HPE_INVALID_CONSTANT" }))).toBe(
      "invalid HTTP response",
    );
    expect(describeError(new Error("the server said: secret-token-123"))).toBe("connection failed");
    expect(describeError({ code: "secret value with spaces" })).toBe("connection failed");
  });
});
