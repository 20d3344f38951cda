import type { MiddlewareHandler } from "hono";
import { AppError, errorBody } from "@/api/errors";
import { sha256Hex } from "@/api/ids";
import type { Deps } from "@/api/services/deps";
import { claimIdempotencyKey, releaseIdempotencyKey, storeIdempotentAnswer } from "@/api/services/idempotency-keys";
import type { AuthEnv } from "./auth";

/**
 * A POST retried with the same Idempotency-Key gets the first answer again instead of making a second incident. An
 * answer that shows a secret once is not kept: its retry gets 409 `secret_not_replayable`.
 */
export function idempotency(deps: Deps): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const key = c.req.header("idempotency-key");
    if (c.req.method !== "POST" || key === undefined) return next();
    if (key.length === 0 || key.length > 255)
      throw new AppError("bad_request", "Idempotency-Key must be 1 to 255 characters");
    const apiKeyId = c.get("apiKey").id;
    const fingerprint = await sha256Hex(`${c.req.method} ${c.req.path}\n${await c.req.text()}`);
    const earlier = await claimIdempotencyKey(deps, apiKeyId, key, fingerprint);
    if (earlier) {
      const empty = earlier.status === 204 || earlier.body === "";
      return new Response(empty ? null : earlier.body, {
        status: earlier.status,
        headers: {
          ...(!empty && { "content-type": "application/json; charset=utf-8" }),
          "idempotent-replayed": "true",
        },
      });
    }
    try {
      await next();
    } catch (error) {
      await releaseIdempotencyKey(deps, apiKeyId, key);
      throw error;
    }
    if (c.res.status >= 500 || c.error) return releaseIdempotencyKey(deps, apiKeyId, key);
    const body = await c.res.clone().text();
    const secret = c.get("answerHasSecret") || showsSecret(body);
    const answer = secret ? { status: 409, body: secretNotReplayable(body) } : { status: c.res.status, body };
    await storeIdempotentAnswer(deps, apiKeyId, key, answer);
  };
}

/** Fields that carry a secret shown once; a route marks its answer too (`answerHasSecret`), this catches a forgotten one. */
const secretFields = ["key", "secret", "ping_url", "token", "password"];

function showsSecret(body: string): boolean {
  try {
    const json: unknown = JSON.parse(body);
    return typeof json === "object" && json !== null && secretFields.some((f) => f in json);
  } catch {
    return false;
  }
}

/**
 * What a retry gets instead of a secret: the secret is never kept (24 h in clear in the database, and handed to
 * anyone replaying the key). The id of what the first request made lets the client find it, or revoke it.
 */
function secretNotReplayable(body: string): string {
  let id: unknown;
  try {
    id = (JSON.parse(body) as { id?: unknown }).id;
  } catch {
    id = undefined;
  }
  const message =
    "The first request with this Idempotency-Key succeeded and its answer carried a secret, which is shown only " +
    "once and not kept for a retry. Revoke or delete what it made and create another.";
  return JSON.stringify(errorBody("secret_not_replayable", message, typeof id === "string" ? { id } : undefined));
}
