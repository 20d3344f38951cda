import { type Context, Hono } from "hono";

/** What a cross-origin reader of the public JSON may send: a conditional GET is what a polling widget does. */
export const publicJsonCors = {
  "access-control-allow-origin": "*",
  "access-control-allow-methods": "GET, HEAD",
  "access-control-allow-headers": "If-None-Match",
  "access-control-max-age": "86400",
};

/**
 * CORS preflights for the Statuspage-compatible JSON under /api/v2: a browser sends one before a cross-origin GET
 * that carries If-None-Match (not a safelisted header, https://fetch.spec.whatwg.org/#cors-safelisted-request-header).
 * The JSON itself is answered from the published set, with Access-Control-Allow-Origin and ETag exposed.
 */
export function publicJsonCorsRoutes() {
  const preflight = (c: Context) => c.body(null, 204, publicJsonCors);
  // The badges' shields.io endpoint JSON is public JSON too.
  return new Hono().options("/api/v2/*", preflight).options("/badge.json", preflight).options("/badge/*", preflight);
}
