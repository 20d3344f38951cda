import type { CheckOutcome, CheckResult } from "./check-types";

// The rules every runtime judges by: which status codes count, when slow is "degraded", where a redirect may go.

export type StatusRange = readonly [from: number, to: number];

/**
 * "200-399" or "200,204,300-302" → ranges, or a message saying what is wrong. Codes are 100-599; at most 20 parts,
 * so a check's configuration stays something a person wrote.
 */
export function parseStatusRanges(spec: string): StatusRange[] | string {
  const parts = spec.split(",").map((p) => p.trim());
  if (parts.length > 20) return "at most 20 codes or ranges";
  const ranges: StatusRange[] = [];
  for (const part of parts) {
    const match = /^(\d{3})(?:\s*-\s*(\d{3}))?$/.exec(part);
    if (!match) return `"${part.slice(0, 20)}" is not a status code or a range like 200-399`;
    const from = Number(match[1]);
    const to = match[2] === undefined ? from : Number(match[2]);
    if (from < 100 || to > 599) return "status codes are 100-599";
    if (from > to) return `the range ${from}-${to} is reversed`;
    ranges.push([from, to]);
  }
  return ranges;
}

export const statusMatches = (ranges: readonly StatusRange[], status: number) =>
  ranges.some(([from, to]) => status >= from && status <= to);

/** A check cannot be fulfilled as configured: down, with the reason. */
export const down = (message: string, extra: Partial<CheckResult> = {}): CheckResult => ({
  outcome: "down",
  responseMs: null,
  message,
  ...extra,
});

/** An answer that is otherwise fine but came slower than `degradedMs` is degraded. */
export function judgeTiming(responseMs: number, degradedMs: number | undefined): CheckOutcome {
  return degradedMs !== undefined && responseMs > degradedMs ? "degraded" : "up";
}

/** "HTTP 200 in 812 ms, slower than 500 ms" for a degraded answer, the bare message otherwise. */
export function withTiming(message: string, outcome: CheckOutcome, responseMs: number, degradedMs?: number) {
  return outcome === "degraded" ? `${message} in ${responseMs} ms, slower than ${degradedMs} ms` : message;
}

export const roundMs = (ms: number) => Math.max(0, Math.round(ms));

export const maxRedirects = 5;
const redirectStatuses = new Set([301, 302, 303, 307, 308]);
/** Headers that carry credentials: never sent to an origin other than the one the operator configured. */
const credentialHeaders = new Set(["authorization", "cookie", "proxy-authorization"]);

export type HopRequest = { url: string; method: string; headers: Record<string, string>; body?: string };

/**
 * Where a redirect leads, as fetch does it (https://fetch.spec.whatwg.org/#http-redirect-fetch): 303, and 301/302
 * after a POST, become a GET without a body; credentials do not follow to another origin. Undefined: not a redirect
 * (judge the answer as it is). A string: the redirect cannot be followed, and the check is down for that reason.
 */
export function nextHop(
  request: HopRequest,
  status: number,
  location: string | undefined,
  hops: number,
): HopRequest | string | undefined {
  if (!redirectStatuses.has(status) || location === undefined) return undefined;
  if (hops >= maxRedirects) return `more than ${maxRedirects} redirects`;
  let next: URL;
  try {
    next = new URL(location, request.url);
  } catch {
    return `HTTP ${status} redirect to an invalid location`;
  }
  if (next.protocol !== "http:" && next.protocol !== "https:") return `HTTP ${status} redirect to a non-http(s) URL`;
  next.hash = "";
  const toGet =
    status === 303 ? request.method !== "HEAD" : (status === 301 || status === 302) && request.method === "POST";
  const sameOrigin = next.origin === new URL(request.url).origin;
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    const lower = name.toLowerCase();
    if (!sameOrigin && credentialHeaders.has(lower)) continue;
    if (toGet && (lower === "content-type" || lower === "content-length")) continue;
    headers[name] = value;
  }
  return {
    url: next.href,
    method: toGet ? "GET" : request.method,
    headers,
    body: toGet ? undefined : request.body,
  };
}
