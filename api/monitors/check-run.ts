import { type SeenCertificate, judgeCertificate } from "./check-certificate";
import { describeError } from "./check-errors";
import { checkHttp, checkStatuspage, type Exchange } from "./check-http";
import { down, judgeTiming, roundMs, withTiming } from "./check-rules";
import type { CheckResult, MonitorCheck, RunCheck, TlsCheck } from "./check-types";

// One check, whatever the runtime: the deadline, the dispatch and the judging are here; the runtime only talks to
// the network (node-checks.ts, worker-checks.ts).

export type CheckRuntime = {
  exchange: Exchange;
  /** Resolves once a TCP connection is open (and closes it). */
  connect(host: string, port: number, signal: AbortSignal): Promise<void>;
  /** The certificate a TLS handshake showed; undefined where the runtime cannot see it (Workers). */
  handshake(
    host: string,
    port: number,
    ca: string | undefined,
    signal: AbortSignal,
  ): Promise<SeenCertificate | undefined>;
};

export type CheckClocks = {
  /** Monotonic milliseconds, for response times. */
  now?: () => number;
  /** Wall-clock milliseconds, for certificate expiry. */
  wallNow?: () => number;
};

function parseUrl(url: string) {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

const timedOut = Symbol("timed out");
const cancelled = Symbol("cancelled");

export function createRunCheck(runtime: CheckRuntime, clocks: CheckClocks = {}): RunCheck {
  const now = clocks.now ?? (() => performance.now());
  const wallNow = clocks.wallNow ?? Date.now;

  async function perform(check: MonitorCheck, signal: AbortSignal): Promise<CheckResult> {
    switch (check.type) {
      case "http":
        return checkHttp(check, runtime.exchange, now, signal);
      case "statuspage":
        return checkStatuspage(check, runtime.exchange, now, signal);
      case "tcp": {
        const start = now();
        await runtime.connect(check.host, check.port, signal);
        const responseMs = roundMs(now() - start);
        const outcome = judgeTiming(responseMs, check.degradedMs);
        return { outcome, responseMs, message: withTiming("connected", outcome, responseMs, check.degradedMs) };
      }
      case "tls":
        return checkTls(check, signal);
      default:
        return down("unknown check type");
    }
  }

  async function checkTls(check: TlsCheck, signal: AbortSignal): Promise<CheckResult> {
    const url = parseUrl(check.url);
    if (url?.protocol !== "https:") return down("the URL is not an https URL");
    const start = now();
    // URL keeps an IPv6 address in brackets; sockets want it bare.
    const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
    const seen = await runtime.handshake(host, Number(url.port || 443), check.ca, signal);
    const responseMs = roundMs(now() - start);
    if (!seen) return { outcome: "up", responseMs, message: "certificate expiry is not visible on Workers" };
    return judgeCertificate(seen, check.minDaysLeft, wallNow(), responseMs);
  }

  return async (check, outer) => {
    // One deadline for the whole check: connect, answer and body. Whatever the runtime leaves hanging, the race
    // below answers at the deadline.
    if (outer?.aborted) return down("check cancelled");
    if (!(typeof check.timeoutMs === "number" && check.timeoutMs >= 1 && check.timeoutMs <= 600_000)) {
      return down("invalid check: no timeout");
    }
    const controller = new AbortController();
    const timeoutMs = check.timeoutMs;
    const timer = setTimeout(() => controller.abort(timedOut), timeoutMs);
    const onAbort = () => controller.abort(cancelled);
    outer?.addEventListener("abort", onAbort, { once: true });
    const { signal } = controller;
    const aborted = new Promise<never>((_, reject) => signal.addEventListener("abort", () => reject(signal.reason)));
    try {
      return await Promise.race([perform(check, signal), aborted]);
    } catch (error) {
      if (signal.aborted)
        return down(signal.reason === timedOut ? `timed out after ${timeoutMs} ms` : "check cancelled");
      return down(describeError(error));
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener("abort", onAbort);
      // The race is settled; its loser's rejection is expected.
      aborted.catch(() => {});
      if (!signal.aborted) controller.abort(cancelled);
    }
  };
}
