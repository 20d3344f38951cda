import { z } from "zod";
import { parseStatusRanges } from "./check-rules";
import type * as T from "./check-types";

// The check configurations an admin may save, for the monitors API to reuse. Monitors watch the operator's own
// servers, so private and loopback addresses are allowed here (docs/security.md, "Monitor checks").

const Timeout = z.int().min(100).max(60_000);
const Degraded = z.int().min(1).max(60_000);

function webUrl(protocols: readonly string[], what: string) {
  return z
    .string()
    .max(2048)
    .superRefine((value, ctx) => {
      let url: URL;
      try {
        url = new URL(value);
      } catch {
        return void ctx.addIssue({ code: "custom", message: "must be a URL" });
      }
      if (!protocols.includes(url.protocol)) ctx.addIssue({ code: "custom", message: `must be ${what}` });
      // Credentials belong in a header, where the console never shows them.
      if (url.username || url.password) ctx.addIssue({ code: "custom", message: "must not contain credentials" });
    });
}

const HttpUrl = webUrl(["http:", "https:"], "an http or https URL");
const Pem = z.string().max(65_536).includes("-----BEGIN CERTIFICATE-----", { message: "must be PEM certificates" });

/** RFC 9110 §5.1 token: no spaces, colons, CR or LF. */
const HeaderName = z.string().regex(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,100}$/, "must be a header name");
/**
 * RFC 9110 §5.5 field-value characters: no CR, LF, NUL or other control character that would end the header early
 * or inject another, and nothing beyond Latin-1, which Node refuses to send.
 */
const HeaderValue = z.string().regex(/^[\t\x20-\x7e\x80-\xff]*$/, "must not contain control characters");
/** Headers the check itself decides: it always closes its connection and frames its own body. */
const reservedHeaders = new Set([
  "connection",
  "keep-alive",
  "content-length",
  "transfer-encoding",
  "te",
  "trailer",
  "upgrade",
]);
const maxHeaderBytes = 8 * 1024;

const Headers = z
  .record(HeaderName, HeaderValue)
  .refine((h) => Object.keys(h).length <= 20, "at most 20 headers")
  .refine(
    (h) =>
      Object.entries(h).reduce((n, [k, v]) => n + new TextEncoder().encode(`${k}: ${v}\r\n`).length, 0) <=
      maxHeaderBytes,
    "at most 8 KB of headers",
  )
  .refine((h) => !Object.keys(h).some((k) => reservedHeaders.has(k.toLowerCase())), {
    message: `must not set ${[...reservedHeaders].join(", ")}`,
  });

const ExpectedStatus = z
  .string()
  .max(200)
  .superRefine((value, ctx) => {
    const parsed = parseStatusRanges(value);
    if (typeof parsed === "string") ctx.addIssue({ code: "custom", message: parsed });
  });

export const HttpCheck = z
  .strictObject({
    type: z.literal("http"),
    url: HttpUrl,
    method: z.enum(["GET", "HEAD", "POST"]).default("GET"),
    headers: Headers.default({}),
    body: z.string().max(65_536).optional(),
    expectedStatus: ExpectedStatus.default("200-399"),
    keyword: z.string().min(1).max(200).optional(),
    keywordMode: z.enum(["present", "absent"]).optional(),
    followRedirects: z.boolean().default(true),
    degradedMs: Degraded.optional(),
    timeoutMs: Timeout.default(10_000),
    ca: Pem.optional(),
  })
  .refine((c) => c.body === undefined || c.method === "POST", { message: "only a POST sends a body", path: ["body"] })
  .refine((c) => c.keyword === undefined || c.method !== "HEAD", {
    message: "a HEAD answer has no body to search",
    path: ["keyword"],
  })
  .refine((c) => c.keywordMode === undefined || c.keyword !== undefined, {
    message: "needs a keyword",
    path: ["keywordMode"],
  })
  .refine((c) => c.degradedMs === undefined || c.degradedMs < c.timeoutMs, {
    message: "must be less than timeoutMs",
    path: ["degradedMs"],
  });

export const TcpCheck = z
  .strictObject({
    type: z.literal("tcp"),
    // A host name or an address; brackets, slashes and spaces would make it a URL or nothing.
    host: z.string().regex(/^[A-Za-z0-9.\-:_]{1,253}$/, "must be a host name or an IP address"),
    port: z.int().min(1).max(65_535),
    timeoutMs: Timeout.default(10_000),
    degradedMs: Degraded.optional(),
  })
  .refine((c) => c.degradedMs === undefined || c.degradedMs < c.timeoutMs, {
    message: "must be less than timeoutMs",
    path: ["degradedMs"],
  });

export const TlsCheck = z.strictObject({
  type: z.literal("tls"),
  url: webUrl(["https:"], "an https URL").refine((u) => {
    const { pathname, search } = new URL(u);
    return pathname === "/" && search === "";
  }, "must be https://host[:port], without a path"),
  minDaysLeft: z.int().min(0).max(365).default(14),
  timeoutMs: Timeout.default(10_000),
  ca: Pem.optional(),
});

export const StatuspageCheck = z.strictObject({
  type: z.literal("statuspage"),
  url: HttpUrl,
  component: z.string().trim().min(1).max(200).optional(),
  timeoutMs: Timeout.default(10_000),
});

export const MonitorCheck = z.discriminatedUnion("type", [HttpCheck, TcpCheck, TlsCheck, StatuspageCheck]);

// The schemas produce exactly the contract's types (check-types.ts), checked by the compiler.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameTypes: [
  Same<z.output<typeof HttpCheck>, T.HttpCheck>,
  Same<z.output<typeof TcpCheck>, T.TcpCheck>,
  Same<z.output<typeof TlsCheck>, T.TlsCheck>,
  Same<z.output<typeof StatuspageCheck>, T.StatuspageCheck>,
] = [true, true, true, true];
void sameTypes;

export type HttpCheck = T.HttpCheck;
export type TcpCheck = T.TcpCheck;
export type TlsCheck = T.TlsCheck;
export type StatuspageCheck = T.StatuspageCheck;
export type MonitorCheck = T.MonitorCheck;
