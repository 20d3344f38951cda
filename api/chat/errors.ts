import { describeOutboundError } from "@/api/outbound/outbound";
import type { ChatPlatform } from "./platforms";

/** A platform's answer to one post, as the sender saw it. */
export type ChatAnswer = { status: number; body: string; headers: Headers };

/**
 * What a post came to:
 * - `ok`: delivered.
 * - `permanent`: the channel is gone or refuses Marquee for good (deleted webhook, archived channel, revoked token):
 *   disable it and keep the reason.
 * - `rejected`: this message was refused (a payload the platform will not take); retrying it is pointless, but the
 *   channel still works.
 * - `rate_limited`: come back after `retryAfterMs`.
 * - `transient`: 5xx, timeouts, resets: retry with backoff.
 */
export type ChatOutcome =
  | { kind: "ok" }
  | { kind: "permanent"; reason: string }
  | { kind: "rejected"; reason: string }
  | { kind: "rate_limited"; reason: string; retryAfterMs: number }
  | { kind: "transient"; reason: string };

/** Used when a 429 names no wait, and the longest wait honoured (a wrong header must not park a channel for days). */
export const defaultRetryAfterMs = 60_000;
export const maxRetryAfterMs = 60 * 60_000;

// Slack answers errors as a plain-text code. The ones that mean the hook is gone or may never post again.
// https://api.slack.com/changelog/2016-05-17-changes-to-errors-for-incoming-webhooks
const slackPermanent = new Set([
  "no_service",
  "no_service_id",
  "no_team",
  "team_disabled",
  "invalid_token",
  "action_prohibited",
  "channel_not_found",
  "channel_is_archived",
  "posting_to_general_channel_denied",
]);

// Discord JSON error codes: 10015 Unknown Webhook, 50027 Invalid Webhook Token.
// https://discord.com/developers/docs/topics/opcodes-and-status-codes#json
const discordPermanent = new Set([10015, 50027]);

/** Classifies an HTTP answer from a chat platform. `now` reads an HTTP-date Retry-After. */
export function classifyChatAnswer(platform: ChatPlatform, answer: ChatAnswer, now: number): ChatOutcome {
  const { status } = answer;
  const code = errorCode(platform, answer.body);
  const reason = `${platform} ${status}${code ? ` ${code}` : ""}`;
  if (status >= 200 && status < 300) {
    // Office 365 connectors signalled throttling in a 200 body; Workflows may relay such a body.
    if (platform === "teams" && /HTTP error 429/i.test(answer.body)) {
      return { kind: "rate_limited", reason: "teams 429 (in body)", retryAfterMs: defaultRetryAfterMs };
    }
    return { kind: "ok" };
  }
  if (status === 429) return { kind: "rate_limited", reason, retryAfterMs: retryAfter(platform, answer, now) };
  if (status >= 500 || status === 408) return { kind: "transient", reason };
  if (platform === "slack" && code && slackPermanent.has(code)) return { kind: "permanent", reason };
  if (platform === "discord" && discordPermanent.has(Number(code))) return { kind: "permanent", reason };
  if (platform === "google_chat" && /API_KEY_INVALID/.test(answer.body)) return { kind: "permanent", reason };
  // Whatever the body says, these statuses mean the webhook (or its credential) is gone.
  if (status === 401 || status === 403 || status === 404 || status === 410) return { kind: "permanent", reason };
  return { kind: "rejected", reason };
}

/**
 * A post that got no answer: a timeout, a refused or reset connection, or an address the outbound guard refused (a
 * name may resolve elsewhere later, as for webhooks). The reason is one of the guard's few words, never an errno.
 */
export function classifyChatFailure(platform: ChatPlatform, error: unknown): ChatOutcome {
  return { kind: "transient", reason: `${platform} ${describeOutboundError(error)}` };
}

/** A short machine code out of an error body: Slack's text, Discord's numeric code, Google's status. */
function errorCode(platform: ChatPlatform, body: string): string | null {
  const text = body.trim();
  if (text === "") return null;
  if (platform === "slack") return /^[a-z_]{1,60}$/.test(text) ? text : null;
  const json = parseJson(text);
  if (platform === "discord" && typeof json?.code === "number") return String(json.code);
  const error = json?.error as Record<string, unknown> | undefined;
  if (platform === "google_chat" && typeof error?.status === "string") return error.status.slice(0, 60);
  return null;
}

function retryAfter(platform: ChatPlatform, answer: ChatAnswer, now: number): number {
  // Discord's body gives seconds as a float (`retry_after: 0.35`); its header rounds up to whole seconds.
  const json = platform === "discord" ? parseJson(answer.body) : null;
  const fromBody = typeof json?.retry_after === "number" ? json.retry_after * 1000 : null;
  const ms = fromBody ?? retryAfterHeader(answer.headers.get("retry-after"), now) ?? defaultRetryAfterMs;
  return Math.min(maxRetryAfterMs, Math.max(0, Math.ceil(ms)));
}

/** RFC 9110 §10.2.3: delay-seconds or an HTTP-date. */
function retryAfterHeader(value: string | null, now: number): number | null {
  if (value === null || value.trim() === "") return null;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

function parseJson(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === "object" && value !== null ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
