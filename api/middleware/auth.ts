import type { MiddlewareHandler } from "hono";
import type { ApiScope } from "@/db/schema";
import { AppError } from "@/api/errors";
import { authenticate, hasScope, type PublicApiKey } from "@/api/services/api-keys";
import type { Actor } from "@/api/services/audit";
import type { Deps } from "@/api/services/deps";

/** `actor` is who the audit log names for a write: routes pass it on with `staff(c, deps)`. */
export type AuthEnv = { Variables: { apiKey: PublicApiKey; actor: Actor } };

/** Bearer-key authentication; reads need `read`, writes need `write`, unless a route asks for more. */
export function requireKey(deps: Deps): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const header = c.req.header("authorization");
    const token = header?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
    const apiKey = await authenticate(deps, token);
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
