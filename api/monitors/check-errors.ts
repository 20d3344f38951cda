// What a failed connection is called in a check's message: short, and built from an error's code only, never from
// its message (which may quote a server's bytes).

const trustCodes: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: "self-signed certificate",
  SELF_SIGNED_CERT_IN_CHAIN: "self-signed certificate in the chain",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "unknown issuer",
  UNABLE_TO_GET_ISSUER_CERT: "unknown issuer",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "unknown issuer",
  CERT_UNTRUSTED: "untrusted",
  CERT_REVOKED: "revoked",
  CERT_SIGNATURE_FAILURE: "bad signature",
};

const codes: Record<string, string> = {
  ECONNREFUSED: "connection refused",
  ECONNRESET: "connection reset",
  EPIPE: "connection reset",
  ENOTFOUND: "host not found",
  EAI_AGAIN: "DNS lookup failed",
  EAI_FAIL: "DNS lookup failed",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  EADDRNOTAVAIL: "address not available",
  ETIMEDOUT: "connection timed out",
  CERT_HAS_EXPIRED: "certificate has expired",
  CERT_NOT_YET_VALID: "certificate is not valid yet",
  ERR_TLS_CERT_ALTNAME_INVALID: "certificate does not match the host name",
  ERR_INVALID_CHAR: "invalid header in the check",
  ERR_INVALID_HTTP_TOKEN: "invalid header in the check",
  ERR_INVALID_URL: "invalid URL",
  ERR_STREAM_PREMATURE_CLOSE: "connection closed before the answer",
  Z_DATA_ERROR: "invalid compressed body",
  Z_BUF_ERROR: "invalid compressed body",
};

/** "certificate not trusted (self-signed certificate)" for a verification code that means "not trusted". */
export function describeTrust(code: string): string | undefined {
  const why = trustCodes[code];
  return why === undefined ? undefined : `certificate not trusted (${why})`;
}

export function describeError(error: unknown): string {
  const code = typeof error === "object" && error !== null && "code" in error ? String(error.code) : "";
  const known = codes[code] ?? describeTrust(code);
  if (known) return known;
  if (code.startsWith("HPE_")) return "invalid HTTP response";
  if (code.startsWith("ERR_SSL") || code === "EPROTO" || code === "ERR_TLS_HANDSHAKE_TIMEOUT")
    return "TLS handshake failed";
  return /^[A-Z][A-Z0-9_]{1,40}$/.test(code) ? `connection failed (${code})` : "connection failed";
}
