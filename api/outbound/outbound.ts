import { AppError } from "@/api/errors";
import { type OutboundPolicy, OutboundRefused, parseOutboundUrl } from "./url-check";

export type OutboundInit = {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
};

/**
 * Every request to a URL a user supplied (webhooks now; monitors and chat channels later) goes through one of these.
 * `check` is for registration: it refuses, with an OutboundRefused the caller can show, what would never be sent.
 * `fetch` checks again at send time, connects only to an address it checked, and never follows a redirect: a 3xx
 * comes back as the answer.
 */
export type Outbound = {
  check(url: string): Promise<URL>;
  fetch(url: string, init: OutboundInit): Promise<Response>;
  /** The policy it enforces, for checks made before any request (a chat channel's host rule, api/chat/platforms.ts). */
  policy?: OutboundPolicy;
};

/**
 * For Workers, which have no DNS API and no way to choose the address fetch() connects to: IP literals and local
 * names are refused here; the platform refuses private networks itself (docs/deploy-cloudflare.md).
 */
export function createFetchOutbound(policy: OutboundPolicy, doFetch: typeof fetch = fetch): Outbound {
  return {
    policy,
    check: async (url) => parseOutboundUrl(url, policy),
    async fetch(url, init) {
      const checked = parseOutboundUrl(url, policy);
      return doFetch(checked, { ...init, redirect: "manual" });
    },
  };
}

/** The runtime's guard, or the strict fetch-based one when a caller (a test, a script) gave none. */
export function outboundOf(deps: { outbound?: Outbound }): Outbound {
  return deps.outbound ?? createFetchOutbound({ allowPrivate: false });
}

/** The registration-time check as the API answers it: a refusal is a 422 on the field, and nothing is stored. */
export async function checkUserUrl(deps: { outbound?: Outbound }, url: string, field = "url"): Promise<URL> {
  try {
    return await outboundOf(deps).check(url);
  } catch (error) {
    if (!(error instanceof OutboundRefused)) throw error;
    throw new AppError("validation_failed", `${field}: ${error.message}`, [{ path: field, message: error.message }]);
  }
}

/**
 * What may be stored and shown about a failed request: the refusal, or one of a few words. Never an errno or an
 * address: "connection refused" against "timed out" would tell open ports from filtered ones.
 */
export function describeOutboundError(error: unknown): string {
  if (error instanceof OutboundRefused) return error.message;
  const name = error instanceof Error ? error.name : "";
  if (name === "AbortError" || name === "TimeoutError") return "timed out";
  const code = String((error as { code?: unknown } | null)?.code ?? "");
  if (code.includes("CERT") || code.startsWith("ERR_TLS")) return "connection failed: TLS certificate not accepted";
  return "connection failed";
}

/** The origin of a URL, for logs: no credentials, no secret path. */
export function originForLog(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return "(invalid URL)";
  }
}
