import type { ContentfulStatusCode } from "hono/utils/http-status";

/** The closed set of error codes, each with its HTTP status. */
const statusByCode = {
  bad_request: 400,
  invalid_json: 400,
  validation_failed: 422,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  /** A postmortem is written for a resolved incident only. */
  incident_not_resolved: 409,
  idempotency_mismatch: 422,
  secret_not_replayable: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  internal_error: 500,
  unavailable: 503,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof statusByCode;

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
  get status(): ContentfulStatusCode {
    return statusByCode[this.code];
  }
}

/** A 429 that tells the client when to come back: the error handler sends `retryAfterSeconds` as Retry-After. */
export class RateLimited extends AppError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super("rate_limited", message);
  }
}

export function errorBody(code: ErrorCode, message: string, details?: unknown) {
  return { error: details === undefined ? { code, message } : { code, message, details } };
}

export const notFound = (what: string, id: string) => new AppError("not_found", `${what} ${id} does not exist`);
