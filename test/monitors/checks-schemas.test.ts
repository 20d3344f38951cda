import { describe, expect, it } from "vitest";
import { HttpCheck, MonitorCheck, StatuspageCheck, TcpCheck, TlsCheck } from "@/api/monitors/check-schemas";

const http = { type: "http", url: "https://app.example.com/health" };
const issues = (result: { success: boolean; error?: { issues: { message: string }[] } }) =>
  result.error?.issues.map((i) => i.message) ?? [];

describe("check configuration schemas", () => {
  it("fill in defaults for an HTTP check, private addresses included (monitors watch the operator's own servers)", () => {
    expect(MonitorCheck.parse({ type: "http", url: "http://10.0.0.5:8080/" })).toEqual({
      type: "http",
      url: "http://10.0.0.5:8080/",
      method: "GET",
      headers: {},
      expectedStatus: "200-399",
      followRedirects: true,
      timeoutMs: 10_000,
    });
    expect(TlsCheck.parse({ type: "tls", url: "https://db.internal:8443" })).toMatchObject({ minDaysLeft: 14 });
    expect(TcpCheck.parse({ type: "tcp", host: "::1", port: 5432 }).port).toBe(5432);
    expect(
      StatuspageCheck.parse({ type: "statuspage", url: "https://www.githubstatus.com", component: "API" }),
    ).toBeTruthy();
  });

  it.each([
    ["a non-http URL", { url: "ftp://app.example.com/" }],
    ["a file URL", { url: "file:///etc/passwd" }],
    ["a javascript URL", { url: "javascript:alert(1)" }],
    ["not a URL", { url: "app.example.com" }],
    ["credentials in the URL", { url: "https://user:pw@app.example.com/" }],
    ["a timeout under 100 ms", { timeoutMs: 99 }],
    ["a timeout over 60 s", { timeoutMs: 60_001 }],
    ["a bad status range", { expectedStatus: "2xx" }],
    ["a reversed status range", { expectedStatus: "399-200" }],
    ["a keyword over 200 characters", { keyword: "k".repeat(201) }],
    ["a keyword on a HEAD", { method: "HEAD", keyword: "ok" }],
    ["a body on a GET", { body: "{}" }],
    ["degradedMs not under the timeout", { degradedMs: 5000, timeoutMs: 5000 }],
    ["more than 20 headers", { headers: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`x-h${i}`, "1"])) }],
    ["more than 8 KB of headers", { headers: { a: "v".repeat(4100), b: "v".repeat(4100) } }],
    ["CR/LF in a header value", { headers: { "x-a": "1\r\nX-Injected: 1" } }],
    ["LF in a header value", { headers: { "x-a": "1\nX-Injected: 1" } }],
    ["CR/LF in a header name", { headers: { "x-a\r\nX-Injected": "1" } }],
    ["NUL in a header value", { headers: { "x-a": "1\u0000" } }],
    ["a header value beyond Latin-1", { headers: { "x-a": "→" } }],
    ["a space in a header name", { headers: { "x a": "1" } }],
    ["a Connection header (checks never keep connections)", { headers: { Connection: "keep-alive" } }],
    ["a Transfer-Encoding header", { headers: { "transfer-encoding": "chunked" } }],
    ["an unknown method", { method: "DELETE" }],
    ["a CA that is not PEM", { ca: "not a certificate" }],
    ["an unknown field", { script: "x" }],
  ])("refuse %s", (_what, patch) => {
    const result = HttpCheck.safeParse({ ...http, ...patch });
    expect(result.success).toBe(false);
    expect(issues(result).length).toBeGreaterThan(0);
  });

  it("accept 20 headers within 8 KB, and a status list", () => {
    const headers = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`x-h${i}`, "v".repeat(300)]));
    expect(HttpCheck.safeParse({ ...http, headers, expectedStatus: "200,204,300-302" }).success).toBe(true);
  });

  it.each([
    [{ type: "tcp", host: "db", port: 0 }],
    [{ type: "tcp", host: "db", port: 65_536 }],
    [{ type: "tcp", host: "db", port: 22.5 }],
    [{ type: "tcp", host: "db/../x", port: 22 }],
    [{ type: "tcp", host: "db", port: 22, timeoutMs: 50 }],
    [{ type: "tls", url: "http://db.internal" }],
    [{ type: "tls", url: "https://db.internal/path" }],
    [{ type: "tls", url: "https://db.internal", minDaysLeft: -1 }],
    [{ type: "statuspage", url: "ftp://status.example.com" }],
    [{ type: "statuspage", url: "https://status.example.com", component: "" }],
    [{ type: "smtp", host: "mail" }],
  ])("refuse %j", (config) => expect(MonitorCheck.safeParse(config).success).toBe(false));
});
