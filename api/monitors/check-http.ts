import { scanForKeyword } from "./check-keyword";
import {
  down,
  type HopRequest,
  judgeTiming,
  nextHop,
  parseStatusRanges,
  roundMs,
  statusMatches,
  withTiming,
} from "./check-rules";
import { judgeSummary, summaryCapBytes, summaryUrl } from "./check-statuspage";
import type { CheckResult, HttpCheck, StatuspageCheck } from "./check-types";

// The HTTP and Statuspage checks, over one request-answer exchange that each runtime provides (node:http, fetch).

export type HopAnswer = {
  status: number;
  location: string | undefined;
  /** The body, decoded (gzip, br), as it arrives; read only when a check judges the body. */
  body(): AsyncIterable<Uint8Array>;
  /** Drops the connection and whatever of the body is left unread. */
  close(): void;
};

/** One request on a fresh connection, redirects not followed; rejects on a network error or once `signal` aborts. */
export type Exchange = (request: HopRequest & { ca?: string }, signal: AbortSignal) => Promise<HopAnswer>;

type Clock = () => number;

function isHttpUrl(url: string) {
  try {
    const { protocol } = new URL(url);
    return protocol === "http:" || protocol === "https:";
  } catch {
    return false;
  }
}
const quote = (keyword: string) => JSON.stringify(keyword.length > 40 ? `${keyword.slice(0, 40)}…` : keyword);

/** Sends the request and follows redirects when allowed; the final answer is the caller's to read and close. */
async function send(
  first: HopRequest,
  follow: boolean,
  ca: string | undefined,
  exchange: Exchange,
  signal: AbortSignal,
) {
  let request = first;
  for (let hops = 0; ; hops++) {
    const answer = await exchange({ ...request, ca }, signal);
    const next = follow ? nextHop(request, answer.status, answer.location, hops) : undefined;
    if (next === undefined) return answer;
    answer.close();
    if (typeof next === "string") return down(next, { statusCode: answer.status });
    request = next;
  }
}

export async function checkHttp(
  check: HttpCheck,
  exchange: Exchange,
  now: Clock,
  signal: AbortSignal,
): Promise<CheckResult> {
  const ranges = parseStatusRanges(check.expectedStatus);
  if (typeof ranges === "string") return down(`invalid expected status: ${ranges}`);
  if (!isHttpUrl(check.url)) return down("the URL is not an http(s) URL");
  const start = now();
  const request = { url: check.url, method: check.method, headers: check.headers, body: check.body };
  const answer = await send(request, check.followRedirects, check.ca, exchange, signal);
  if (!("body" in answer)) return answer;
  try {
    const statusCode = answer.status;
    if (!statusMatches(ranges, statusCode)) {
      return { outcome: "down", responseMs: roundMs(now() - start), message: `HTTP ${statusCode}`, statusCode };
    }
    if (check.keyword !== undefined && check.method !== "HEAD") {
      const scan = scanForKeyword(check.keyword);
      for await (const chunk of answer.body()) if (scan.push(chunk) || scan.full) break;
      const wanted = (check.keywordMode ?? "present") === "present";
      if (scan.found !== wanted) {
        const message = `keyword ${quote(check.keyword)} ${wanted ? "not found" : "found"}`;
        return down(message, { responseMs: roundMs(now() - start), statusCode });
      }
    }
    const responseMs = roundMs(now() - start);
    const outcome = judgeTiming(responseMs, check.degradedMs);
    return {
      outcome,
      responseMs,
      message: withTiming(`HTTP ${statusCode}`, outcome, responseMs, check.degradedMs),
      statusCode,
    };
  } finally {
    answer.close();
  }
}

export async function checkStatuspage(
  check: StatuspageCheck,
  exchange: Exchange,
  now: Clock,
  signal: AbortSignal,
): Promise<CheckResult> {
  if (!isHttpUrl(check.url)) return down("the URL is not an http(s) URL");
  const start = now();
  const request = { url: summaryUrl(check.url), method: "GET", headers: { accept: "application/json" } };
  const answer = await send(request, true, undefined, exchange, signal);
  if (!("body" in answer)) return answer;
  try {
    const statusCode = answer.status;
    if (statusCode < 200 || statusCode > 299)
      return down(`the provider's page answered HTTP ${statusCode}`, { statusCode });
    const bytes = await readCapped(answer.body(), summaryCapBytes);
    const responseMs = roundMs(now() - start);
    if (!bytes) return down(`the provider's page is larger than ${summaryCapBytes / 1024 / 1024} MB`, { statusCode });
    let summary: unknown;
    try {
      summary = JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      return down("the provider's page is not valid JSON", { responseMs, statusCode });
    }
    return { ...judgeSummary(summary, check.component), responseMs, statusCode };
  } finally {
    answer.close();
  }
}

/** The whole body, or undefined as soon as it passes `cap` bytes (the rest is never read). */
async function readCapped(body: AsyncIterable<Uint8Array>, cap: number) {
  const chunks: Uint8Array[] = [];
  let length = 0;
  for await (const chunk of body) {
    length += chunk.byteLength;
    if (length > cap) return undefined;
    chunks.push(chunk);
  }
  const out = new Uint8Array(length);
  let at = 0;
  for (const chunk of chunks) (out.set(chunk, at), (at += chunk.byteLength));
  return out;
}
