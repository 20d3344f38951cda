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
 * Bearer-key authentication; the scope a request needs is `scopeNeeded`'s, unless a route asks for more. A client that sent
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
    const needed = scopeNeeded(c.req.method, c.req.path);
    if (!hasScope(apiKey.scopes, needed)) throw new AppError("forbidden", `This API key lacks the ${needed} scope`);
    c.set("apiKey", apiKey);
    c.set("actor", { kind: "api_key", keyId: apiKey.id, name: apiKey.name });
    await next();
  };
}

/**
 * Reads need `read` and writes `write`, except a monitoring tool's alert delivery (POST, or PUT as Grafana may send
 * it, to /api/v1/alerts/…), which needs only `alerts`: the one thing an `alerts` key can do.
 */
export function scopeNeeded(method: string, path: string): ApiScope {
  if ((method === "POST" || method === "PUT") && path.startsWith("/api/v1/alerts/")) return "alerts";
  return method === "GET" || method === "HEAD" ? "read" : "write";
}

export function requireScope(scope: ApiScope): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    if (!hasScope(c.get("apiKey").scopes, scope))
      throw new AppError("forbidden", `This API key lacks the ${scope} scope`);
    await next();
  };
}
