import type { ChunkResult, MailTransport } from "@/api/notify/transport";
import { createBatchWriter } from "./batch-json";
import { fetchPost, type HttpAnswer, type HttpPost } from "./http-post";

export type ResendTransportOptions = {
  apiKey: string;
  /** Resend's API origin (tests pass a local fake). */
  baseUrl?: string;
  requestsPerSecond: number;
  fetchTimeoutMs?: number;
  /** How requests are made: fetch unless the runtime has something cheaper (Node's http). */
  post?: HttpPost;
  /** How the pacer waits (tests watch its waits instead of timing them). */
  sleep?: (ms: number) => Promise<void>;
};

/** Resend's answer: `error` is its JSON error body (https://resend.com/docs/api-reference/errors), or ours. */
type BatchResponse = {
  data: unknown;
  error: { statusCode?: number | null; name?: string; message?: string } | null;
  headers: Record<string, string>;
};
type ResendError = NonNullable<BatchResponse["error"]>;
type PacedFailure = { result: ChunkResult; holdMs?: number };

const defaultBaseUrl = "https://api.resend.com";
const maxBatchSize = 100;
const quotaWaitMs = 24 * 60 * 60 * 1000;
// The pacer pauses at most this long on one header, so a send never hangs for hours on an odd value.
const maxHoldMs = 60_000;
// Enough chunks in flight to start a request every 1/rps while earlier ones take about this long to build and be
// answered, and no more than the 6 simultaneous outgoing connections of a Workers invocation.
const roundTripSeconds = 0.25;
const maxChunksInFlight = 6;

/**
 * Sends chunks through Resend's batch endpoint, one request per chunk, never faster than `requestsPerSecond` nor
 * than the limit Resend's `ratelimit-*` headers announce
 * (https://resend.com/docs/api-reference/rate-limit).
 *
 * The request is made here rather than through Resend's SDK: the SDK serialises each batch with JSON.stringify, which
 * with the encoding that follows was most of the work of a fan-out (see batch-json.ts). The request is the one the
 * SDK sends: the same JSON, `Idempotency-Key`, `x-batch-validation: strict`.
 */
export function createResendTransport(options: ResendTransportOptions): MailTransport {
  // An empty key would send every chunk to be refused as unauthorised.
  if (!options.apiKey) throw new Error("The Resend transport needs an API key");
  if (!(options.requestsPerSecond > 0)) throw new RangeError("requestsPerSecond must be positive");
  const endpoint = `${(options.baseUrl ?? defaultBaseUrl).replace(/\/+$/, "")}/emails/batch`;
  const pacer = createPacer(options.requestsPerSecond, options.sleep);
  const timeoutMs = options.fetchTimeoutMs ?? 30_000;
  const post = options.post ?? fetchPost;
  const maxInFlight = Math.min(maxChunksInFlight, Math.ceil(options.requestsPerSecond * roundTripSeconds));
  const batches = createBatchWriter(maxInFlight);

  return {
    name: "resend",
    requestsPerSecond: options.requestsPerSecond,
    maxInFlight,
    async sendChunk(emails, idempotencyKey) {
      if (emails.length > maxBatchSize) {
        throw new RangeError(`A Resend batch holds at most ${maxBatchSize} emails, got ${emails.length}`);
      }
      if (emails.length === 0) return { ok: true, ids: [] };
      // Encoded before its turn, so the request leaves when the pacer says, not a variable build time later.
      const body = batches.encode(emails);
      await pacer.take();
      const response = await postBatch(post, endpoint, options.apiKey, body, idempotencyKey, timeoutMs);
      batches.release(body);
      const answeredAt = performance.now();
      const headers = response.headers;
      // A window used up matters only when Resend allows fewer requests than we pace to: then slow down to its
      // limit and wait for the reset. At or under its limit our own pacing already keeps within it, and a pause on
      // every whole-second reset would cost a third of the throughput.
      const serverLimit = Number(headers["ratelimit-limit"]);
      if (headers["ratelimit-remaining"] === "0" && !(serverLimit >= options.requestsPerSecond)) {
        if (serverLimit > 0) pacer.slowTo(serverLimit);
        const resetMs = seconds(headers["ratelimit-reset"]);
        if (resetMs !== undefined) pacer.hold(answeredAt + resetMs);
      }
      if (!response.error) return readIds(response.data, emails.length);
      const { result, holdMs } = classify(response.error, headers);
      if (holdMs !== undefined) pacer.hold(answeredAt + holdMs);
      return result;
    },
  };
}

/**
 * One batch request. Never throws: no answer, a timeout or a 2xx that is not JSON is an error without a status (the
 * batch may or may not have been accepted, so it is retried with the same key); any other answer that is not 2xx is
 * Resend's JSON error body, or one made up from the status when the body is not JSON.
 */
async function postBatch(
  post: HttpPost,
  endpoint: string,
  apiKey: string,
  body: Uint8Array<ArrayBuffer>,
  idempotencyKey: string,
  timeoutMs: number,
): Promise<BatchResponse> {
  const headers = {
    authorization: `Bearer ${apiKey}`,
    "content-type": "application/json",
    "idempotency-key": idempotencyKey,
    "user-agent": "marquee",
    "x-batch-validation": "strict",
  };
  let answer: HttpAnswer;
  try {
    answer = await post(endpoint, headers, body, timeoutMs);
  } catch (error) {
    return { data: null, error: { statusCode: null, name: "request_failed", message: String(error) }, headers: {} };
  }
  const ok = answer.status >= 200 && answer.status < 300;
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.text);
  } catch {
    const error = {
      statusCode: ok ? null : answer.status,
      name: "application_error",
      message: "the answer was not JSON",
    };
    return { data: null, error, headers: answer.headers };
  }
  if (ok) return { data: parsed, error: null, headers: answer.headers };
  const error = (parsed ?? {}) as ResendError;
  return { data: null, error: { ...error, statusCode: error.statusCode ?? answer.status }, headers: answer.headers };
}

// Resend answers `{ "data": [{ "id": … }, …] }`.
function readIds(data: unknown, expected: number): ChunkResult {
  const items = (data as { data?: unknown } | null)?.data;
  const ids = Array.isArray(items) ? items.map((item) => (item as { id?: unknown } | null)?.id) : [];
  if (ids.length !== expected || !ids.every((id): id is string => typeof id === "string")) {
    // Retrying with the same key would replay this same answer.
    return {
      ok: false,
      retryable: false,
      error: `Resend accepted the batch but returned ${ids.length} ids for ${expected} emails`,
    };
  }
  return { ok: true, ids };
}

/** Error names and statuses: https://resend.com/docs/api-reference/errors */
function classify(error: ResendError, headers: Record<string, string>): PacedFailure {
  // statusCode is the one in Resend's error body, else the HTTP status; null means no usable HTTP answer.
  const status = typeof error.statusCode === "number" ? error.statusCode : null;
  const message = `Resend ${status ?? "request failed"} ${error.name ?? "error"}: ${error.message ?? "no message"}`;
  const retryAfterMs = seconds(headers["retry-after"]);
  switch (error.name) {
    case "daily_quota_exceeded":
    case "monthly_quota_exceeded":
      // Not a pause for the pacer: every request fails until the quota window resets.
      return { result: { ok: false, retryable: true, retryAfterMs: retryAfterMs ?? quotaWaitMs, error: message } };
    case "concurrent_idempotent_requests":
      // The first request with this key is still running; asking again later gets its answer.
      return { result: { ok: false, retryable: true, retryAfterMs: retryAfterMs ?? 1000, error: message } };
  }
  if (error.name === "rate_limit_exceeded" || status === 429) {
    const waitMs = retryAfterMs ?? seconds(headers["ratelimit-reset"]) ?? 1000;
    return { result: { ok: false, retryable: true, retryAfterMs: waitMs, error: message }, holdMs: waitMs };
  }
  // No status (network error, timeout, 2xx that was not JSON: the batch may have been accepted) or a server error:
  // the same chunk with the same idempotency key is safe to send again.
  if (status === null || status >= 500 || status === 408) {
    return {
      result: { ok: false, retryable: true, ...(retryAfterMs !== undefined && { retryAfterMs }), error: message },
    };
  }
  return { result: { ok: false, retryable: false, error: message } };
}

/** A header counted in seconds (`retry-after` may also be an HTTP date), in milliseconds. */
function seconds(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const n = Number(value);
  const ms = Number.isFinite(n) ? n * 1000 : Date.parse(value) - Date.now();
  return Number.isFinite(ms) ? Math.max(0, ms) : undefined;
}

/**
 * Starts requests at least 1/rps apart across all concurrent callers, in call order, and not before a pause that
 * Resend asked for. The interval carries 2% of slack: requests leave here exactly spaced but reach Resend with a
 * little jitter, and Resend counts them in a sliding second.
 */
function createPacer(
  requestsPerSecond: number,
  sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
) {
  let intervalMs = (1000 / requestsPerSecond) * 1.02;
  let nextAt = 0;
  let holdUntil = 0;
  let queue: Promise<void> = Promise.resolve();

  return {
    take(): Promise<void> {
      queue = queue.then(async () => {
        // Loop: a pause may be announced by a response that arrives while this turn sleeps.
        for (let wait = Math.max(nextAt, holdUntil) - performance.now(); wait > 0;) {
          await sleep(Math.ceil(wait));
          wait = Math.max(nextAt, holdUntil) - performance.now();
        }
        nextAt = performance.now() + intervalMs;
      });
      return queue;
    },
    /** Never faster than `rps` from now on (Resend announced a lower limit than the configured one). */
    slowTo(rps: number) {
      intervalMs = Math.max(intervalMs, (1000 / rps) * 1.02);
    },
    hold(until: number) {
      holdUntil = Math.max(holdUntil, Math.min(until, performance.now() + maxHoldMs));
    },
  };
}
