import type { MiddlewareHandler } from "hono";
import type { ApiScope } from "@/db/schema";
import { AppError } from "@/api/errors";
import { authenticate, hasScope, type PublicApiKey } from "@/api/services/api-keys";
import type { Actor } from "@/api/services/audit";
import type { Deps } from "@/api/services/deps";
import { noteAuthFailure, throttledAnswer } from "./auth-throttle";

/**
 * `actor` is who the audit log names for a write: routes pass it on with `staff(c, deps)`. `answerHasSecret`: the
 * answer shows a secret once (a new key), so it is never kept for an idempotent replay.
 */
export type AuthEnv = { Variables: { apiKey: PublicApiKey; actor: Actor; answerHasSecret?: boolean } };

/**
 * Bearer-key authentication; reads need `read`, writes need `write`, unless a route asks for more. A client that sent
 * too many wrong keys is answered 429 before its key is checked.
 */
export function requireKey(deps: Deps): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const throttled = await throttledAnswer(deps, c);
    if (throttled) return throttled;
    const header = c.req.header("authorization");
    const token = header?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
    const apiKey = await authenticate(deps, token).catch(async (error: unknown) => {
      // A request without a key guesses nothing; a wrong one counts against its client.
      if (token && error instanceof AppError && error.code === "unauthorized") await noteAuthFailure(deps, c);
      throw error;
    });
    const needed: ApiScope = c.req.method === "GET" || c.req.method === "HEAD" ? "read" : "write";
    if (!hasScope(apiKey.scopes, needed)) throw new AppError("forbidden", `This API key lacks the ${needed} scope`);
    c.set("apiKey", apiKey);
    c.set("actor", { kind: "api_key", keyId: apiKey.id, name: apiKey.name });
    await next();
  };
}

export function requireScope(scope: ApiScope): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    if (!hasScope(c.get("apiKey").scopes, scope))
      throw new AppError("forbidden", `This API key lacks the ${scope} scope`);
    await next();
  };
}
