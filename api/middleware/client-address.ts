import type { Context, MiddlewareHandler } from "hono";
import { resolveClientAddress, type TrustProxy } from "./trust-proxy";

declare module "hono" {
  interface ContextVariableMap {
    trustProxy: TrustProxy;
  }
}

/** Tells `clientAddress` whose forwarding headers count (TRUST_PROXY). Without it, nobody's. */
export function trustProxy(trust: TrustProxy): MiddlewareHandler {
  return async (c, next) => {
    c.set("trustProxy", trust);
    await next();
  };
}

type Bindings = {
  /** Set by the Workers entry from Cloudflare's CF-Connecting-IP, which Cloudflare itself writes. */
  clientIp?: string;
  /** @hono/node-server's bindings, as its getConnInfo reads them. */
  incoming?: { socket?: { remoteAddress?: string } };
  server?: { incoming?: { socket?: { remoteAddress?: string } } };
};

/**
 * The address of whoever sent this request, as every per-client limit counts it: on Workers the one Cloudflare
 * vouches for; on Node the socket's, or, behind proxies TRUST_PROXY names, the one the last trusted proxy saw.
 * "unknown" when the runtime gives none (in-process test requests).
 */
export function clientAddress(c: Context): string {
  const env = (c.env ?? {}) as Bindings;
  if (env.clientIp) return env.clientIp;
  const socket = (env.server ?? env).incoming?.socket?.remoteAddress;
  return resolveClientAddress(socket, c.req.header("x-forwarded-for"), c.get("trustProxy"));
}
