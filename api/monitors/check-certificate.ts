import { describeError, describeTrust } from "./check-errors";
import type { CheckResult } from "./check-types";

const dayMs = 86_400_000;
const days = (n: number) => `${n} ${n === 1 ? "day" : "days"}`;

export type SeenCertificate = {
  /** The earliest expiry in the chain the server presented, in ms. */
  expiresAt: number;
  /** The verification failure (an OpenSSL or Node code), or undefined when the chain is trusted for the host. */
  authorizationError: string | undefined;
};

/** Judges a completed handshake: untrusted or expired is down, fewer than `minDaysLeft` days left is degraded. */
export function judgeCertificate(
  seen: SeenCertificate,
  minDaysLeft: number,
  now: number,
  responseMs: number,
): CheckResult {
  const { expiresAt, authorizationError: error } = seen;
  if (!Number.isFinite(expiresAt)) return { outcome: "down", responseMs, message: "the server showed no certificate" };
  const base = { responseMs, certificateExpiresAt: expiresAt };
  if (error === "CERT_HAS_EXPIRED" || expiresAt <= now) {
    const ago = Math.floor((now - expiresAt) / dayMs);
    return {
      ...base,
      outcome: "down",
      message: ago < 1 ? "certificate has expired" : `certificate expired ${days(ago)} ago`,
    };
  }
  if (error !== undefined)
    return { ...base, outcome: "down", message: describeTrust(error) ?? describeError({ code: error }) };
  const left = Math.floor((expiresAt - now) / dayMs);
  const message = left < 1 ? "certificate expires in less than a day" : `certificate expires in ${days(left)}`;
  return { ...base, outcome: left < minDaysLeft ? "degraded" : "up", message };
}
