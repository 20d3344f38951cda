import type { MiddlewareHandler } from "hono";
import { AppError } from "@/api/errors";
import { sha256Hex } from "@/api/ids";
import type { Deps } from "@/api/services/deps";
import { claimIdempotencyKey, releaseIdempotencyKey, storeIdempotentAnswer } from "@/api/services/idempotency-keys";
import type { AuthEnv } from "./auth";

/** A POST retried with the same Idempotency-Key gets the first answer again instead of making a second incident. */
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
    await storeIdempotentAnswer(deps, apiKeyId, key, { status: c.res.status, body: await c.res.clone().text() });
  };
}
