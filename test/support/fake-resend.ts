import { createHash, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

/** One scripted answer; a string body is sent as HTML (like a proxy's 502 page), anything else as JSON. */
export type ScriptedReply = { status: number; body?: unknown; headers?: Record<string, string> };

export type FakeResendOptions = {
  /** Only this key is accepted; by default any Bearer token is. */
  apiKey?: string;
  /** Enforced over a sliding second, with `ratelimit-*` headers; unset means no limit and no such headers. */
  requestsPerSecond?: number;
  /**
   * The sliding window the limit counts in (default 1000 ms). On a busy machine the fake sees requests late by up to
   * a hundred milliseconds and more (a new connection, its own event loop), bunching correctly paced ones; a
   * narrower window absorbs that.
   */
  windowMs?: number;
  /**
   * Keep each accepted email's text and HTML (default true). A benchmark of 100,000 emails would otherwise keep 400 MB
   * of bodies in the process that also plays Resend, and time its garbage collection instead of Marquee.
   */
  keepBodies?: boolean;
  /** Replies to the next requests, in order, before any other check. */
  failNext?: ScriptedReply[];
  delayMs?: number;
};

export type AcceptedEmail = {
  id: string;
  from: string;
  /** The recipient (Marquee sends one per email); several are joined with ", ". */
  to: string;
  subject: string;
  text?: string;
  html?: string;
  headers: Record<string, string>;
  idempotencyKey?: string;
};

export type FakeRequest = {
  method: string;
  path: string;
  idempotencyKey?: string;
  /** Emails in the body, when it was an array. */
  emails: number;
  status: number;
  /** Arrival, epoch milliseconds. */
  time: number;
};

type Reply = { status: number; body: unknown; headers?: Record<string, string> };

const keyTtlMs = 24 * 60 * 60 * 1000;
const failure = (status: number, name: string, message: string): Reply => ({
  status,
  body: { statusCode: status, name, message },
});
const defaultNames: Record<number, string> = {
  400: "validation_error",
  401: "missing_api_key",
  403: "invalid_api_key",
  409: "concurrent_idempotent_requests",
  422: "validation_error",
  429: "rate_limit_exceeded",
};

/**
 * A local stand-in for Resend's `POST /emails/batch` as documented (https://resend.com/docs/api-reference): Bearer
 * auth, strict batch validation, idempotency keys kept 24 hours, rate limit headers. Decisions are taken synchronously
 * when a request's body has arrived, then `delayMs` passes before the answer, so a request is "in flight" (its
 * emails accepted, its key busy) during the delay — what a client sees when it times out or crashes mid-request.
 */
export async function startFakeResend(options: FakeResendOptions = {}) {
  const scripted: ScriptedReply[] = [...(options.failNext ?? [])];
  const limit = options.requestsPerSecond;
  const windowMs = options.windowMs ?? 1000;
  const keepBodies = options.keepBodies ?? true;
  const window: number[] = []; // arrival times of the requests counted against the limit
  const keys = new Map<string, { hash: string; at: number; reply?: Reply }>();
  const accepted: AcceptedEmail[] = [];
  const requests: FakeRequest[] = [];
  const held: (() => void)[] = [];

  function slideWindow(now: number) {
    while (window.length > 0 && window[0]! <= now - windowMs) window.shift();
  }

  function rateHeaders(now: number): Record<string, string> {
    if (limit === undefined) return {};
    slideWindow(now);
    const resetSeconds = window.length > 0 ? Math.ceil((window[0]! + windowMs - now) / 1000) : 0;
    return {
      "ratelimit-limit": String(limit),
      "ratelimit-remaining": String(Math.max(0, limit - window.length)),
      "ratelimit-reset": String(resetSeconds),
    };
  }

  function decide(req: IncomingMessage, raw: string, record: FakeRequest, now: number): Reply {
    const next = scripted.shift();
    if (next) {
      const name = defaultNames[next.status] ?? (next.status >= 500 ? "internal_server_error" : "validation_error");
      return {
        status: next.status,
        body: next.body ?? failure(next.status, name, `Scripted ${next.status}`).body,
        headers: next.headers,
      };
    }
    if (req.url !== "/emails/batch") return failure(404, "not_found", "The requested endpoint does not exist.");
    if (req.method !== "POST")
      return failure(405, "method_not_allowed", "Method is not allowed for the requested path.");
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    if (!token) return failure(401, "missing_api_key", "Missing API key in the authorization header.");
    if (options.apiKey !== undefined && token !== options.apiKey)
      return failure(403, "invalid_api_key", "API key is invalid.");
    if (limit !== undefined) {
      slideWindow(now);
      if (window.length >= limit) {
        const retryAfter = Math.ceil((window[0]! + windowMs - now) / 1000);
        const reply = failure(
          429,
          "rate_limit_exceeded",
          `Too many requests. You can only make ${limit} requests per second.`,
        );
        return { ...reply, headers: { "retry-after": String(retryAfter) } };
      }
      window.push(now);
    }

    const key = record.idempotencyKey;
    const hash = createHash("sha256").update(raw).digest("hex");
    if (key !== undefined) {
      if (key.length < 1 || key.length > 256) {
        return failure(400, "invalid_idempotency_key", "The key must be between 1-256 chars.");
      }
      const entry = keys.get(key);
      if (entry && now - entry.at < keyTtlMs) {
        if (entry.hash !== hash) {
          return failure(
            409,
            "invalid_idempotent_request",
            "Same idempotency key used with a different request payload.",
          );
        }
        return (
          entry.reply ??
          failure(
            409,
            "concurrent_idempotent_requests",
            "Same idempotency key used while the original request is still in progress.",
          )
        );
      }
    }

    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return failure(400, "validation_error", "The request body is not valid JSON.");
    }
    if (!Array.isArray(body)) return failure(422, "invalid_parameter", "The batch must be an array of emails.");
    record.emails = body.length;
    if (body.length < 1 || body.length > 100)
      return failure(422, "invalid_parameter", "A batch holds 1 to 100 emails.");
    for (const [index, email] of body.entries()) {
      const problem = invalidEmail(email);
      if (problem) return failure(422, problem.name, `emails[${index}]: ${problem.message}`);
    }

    const ids = body.map((email: Record<string, unknown>) => {
      const id = randomUUID();
      accepted.push({
        id,
        from: email.from as string,
        to: ([] as string[]).concat(email.to as string | string[]).join(", "),
        subject: email.subject as string,
        text: keepBodies ? (email.text as string | undefined) : undefined,
        html: keepBodies ? (email.html as string | undefined) : undefined,
        headers: (email.headers as Record<string, string> | undefined) ?? {},
        idempotencyKey: key,
      });
      return { id };
    });
    if (key !== undefined) keys.set(key, { hash, at: now });
    return { status: 200, body: { data: ids } };
  }

  const server = createServer(async (req, res) => {
    const time = Date.now();
    const key = req.headers["idempotency-key"];
    const record: FakeRequest = {
      method: req.method ?? "",
      path: req.url ?? "",
      idempotencyKey: typeof key === "string" ? key : undefined,
      emails: 0,
      status: 0,
      time,
    };
    requests.push(record);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const now = Date.now();
    const reply = decide(req, Buffer.concat(chunks).toString("utf8"), record, now);
    const headers = { ...rateHeaders(now), ...reply.headers };
    record.status = reply.status;
    fake.inFlight++;
    fake.peakInFlight = Math.max(fake.peakInFlight, fake.inFlight);
    if (fake.holdingAnswers) await new Promise<void>((resolve) => held.push(resolve));
    if (fake.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, fake.delayMs));
    fake.inFlight--;
    // The key now holds its answer; replays get it. Only successes are kept (whether Resend keeps failures is unknown).
    const entry = record.idempotencyKey === undefined ? undefined : keys.get(record.idempotencyKey);
    if (entry && !entry.reply && reply.status === 200) entry.reply = reply;
    const text = typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body);
    const type = typeof reply.body === "string" ? "text/html" : "application/json";
    res.writeHead(reply.status, { "content-type": type, ...headers }).end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  const fake = {
    url: `http://127.0.0.1:${port}`,
    accepted,
    requests,
    /** Milliseconds every answer waits after the request is decided; change it between requests. */
    delayMs: options.delayMs ?? 0,
    /** Requests decided but not answered yet, now and at most so far. */
    inFlight: 0,
    peakInFlight: 0,
    /** While true, answers wait (their requests stay in flight) until `releaseAnswers()`. */
    holdingAnswers: false,
    releaseAnswers() {
      fake.holdingAnswers = false;
      for (const answer of held.splice(0)) answer();
    },
    /** The next request gets this answer instead of being processed (one-shot; calls queue up). */
    failNextWith(status: number, body?: unknown, headers?: Record<string, string>) {
      scripted.push({ status, body, headers });
    },
    /** Stops listening and drops open connections, so clients see a refused connection. */
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  return fake;
}

export type FakeResend = Awaited<ReturnType<typeof startFakeResend>>;

function invalidEmail(email: unknown): { name: string; message: string } | undefined {
  if (typeof email !== "object" || email === null)
    return { name: "invalid_parameter", message: "Each email must be an object." };
  const e = email as Record<string, unknown>;
  const to = Array.isArray(e.to) ? e.to : [e.to];
  for (const [field, values] of [
    ["from", [e.from]],
    ["to", to],
    ["subject", [e.subject]],
  ] as const) {
    if (values.length === 0 || !values.every((v) => typeof v === "string" && v !== "")) {
      return { name: "missing_required_field", message: `The \`${field}\` field is missing.` };
    }
  }
  if (Array.isArray(e.to) && e.to.length > 50)
    return { name: "validation_error", message: "`to` holds at most 50 addresses." };
  if (typeof e.html !== "string" && typeof e.text !== "string") {
    return { name: "missing_required_field", message: "Missing `html` or `text` field." };
  }
  if (
    e.headers !== undefined &&
    (typeof e.headers !== "object" || e.headers === null || Object.values(e.headers).some((v) => typeof v !== "string"))
  ) {
    return { name: "invalid_parameter", message: "`headers` must map names to strings." };
  }
  return undefined;
}
