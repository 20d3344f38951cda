import { and, eq, lt } from "drizzle-orm";
import type { MiddlewareHandler } from "hono";
import { idempotencyKeys } from "@/db/schema";
import { AppError } from "@/api/errors";
import { sha256Hex } from "@/api/ids";
import type { Deps } from "@/api/services/deps";
import type { AuthEnv } from "./auth";

const keepFor = 24 * 60 * 60 * 1000;

/**
 * A POST retried with the same Idempotency-Key gets the first answer again instead of making a second incident.
 * The key is claimed before the work starts, so two concurrent retries cannot both do it.
 */
export function idempotency(deps: Deps): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const key = c.req.header("idempotency-key");
    if (c.req.method !== "POST" || key === undefined) return next();
    if (key.length === 0 || key.length > 255)
      throw new AppError("bad_request", "Idempotency-Key must be 1 to 255 characters");
    const apiKeyId = c.get("apiKey").id;
    const fingerprint = await sha256Hex(`${c.req.method} ${c.req.path}\n${await c.req.text()}`);
    const now = deps.clock();
    const where = and(eq(idempotencyKeys.apiKeyId, apiKeyId), eq(idempotencyKeys.key, key));
    await deps.db.delete(idempotencyKeys).where(lt(idempotencyKeys.createdAt, now - keepFor));
    const claimed = await deps.db
      .insert(idempotencyKeys)
      .values({ apiKeyId, key, fingerprint, createdAt: now })
      .onConflictDoNothing()
      .returning({ key: idempotencyKeys.key });
    if (claimed.length === 0) {
      const [earlier] = await deps.db.select().from(idempotencyKeys).where(where);
      if (!earlier) throw new AppError("conflict", "Retry the request");
      if (earlier.fingerprint !== fingerprint) {
        throw new AppError("idempotency_mismatch", "This Idempotency-Key was used with a different request");
      }
      if (earlier.status === null) throw new AppError("conflict", "A request with this Idempotency-Key is in progress");
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
      await deps.db.delete(idempotencyKeys).where(where);
      throw error;
    }
    if (c.res.status >= 500 || c.error) {
      // Nothing was done: let the retry try again.
      await deps.db.delete(idempotencyKeys).where(where);
      return;
    }
    const body = await c.res.clone().text();
    await deps.db.update(idempotencyKeys).set({ status: c.res.status, body }).where(where);
  };
}
