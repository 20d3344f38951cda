import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getCookie } from "hono/cookie";
import { csrfToken, verifyCsrfToken, verifySession } from "@/api/services/admin-sessions";
import { hasScope } from "@/api/services/api-keys";
import type { Actor } from "@/api/services/audit";
import type { Deps } from "@/api/services/deps";
import type { FormBody } from "@/api/routes/admin-forms";

export const sessionCookie = "marquee_admin";
export const cookiePath = "/admin";

/** `admin`: the key that signed in has the admin scope, which settings, API keys and subscribers need (as in the API). */
export type AdminEnv = {
  Variables: { session: string; csrf: string; apiKeyId: string; actor: Actor; admin: boolean };
};

/** Browsers send Origin on cross-site POSTs; behind a TLS proxy the scheme may differ, so hosts are compared. */
export function sameOrigin(c: Context, siteUrl?: string): boolean {
  const origin = c.req.header("origin");
  if (origin === undefined) return true;
  try {
    const host = new URL(origin).host;
    return host === new URL(c.req.url).host || (siteUrl !== undefined && host === new URL(siteUrl).host);
  } catch {
    return false;
  }
}

const loopback = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * True when the browser reached the console over plain HTTP under a name other than localhost: it then drops the
 * session cookie, which is Secure, without a word (browsers treat only localhost as secure over HTTP). A TLS proxy in
 * front shows as X-Forwarded-Proto: https, or as a request for SITE_URL's own host when SITE_URL is https. This only
 * chooses whether the sign-in page explains that, so an untrusted header is fine here.
 */
export function cookieWillBeDropped(c: Context, siteUrl?: string): boolean {
  const url = new URL(c.req.url);
  if (url.protocol !== "http:" || loopback.has(url.hostname) || url.hostname.endsWith(".localhost")) return false;
  if (c.req.header("x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase() === "https") return false;
  return !(siteUrl?.startsWith("https:") && new URL(siteUrl).host === url.host);
}

/**
 * Every console request needs a valid session; every POST also needs the form's csrf field. A missing or bad session
 * goes to the sign-in page; a bad token gets `forbidden`.
 */
export function requireSession(deps: Deps, forbidden: (c: Context) => Promise<Response>): MiddlewareHandler<AdminEnv> {
  return async (c, next) => {
    const session = getCookie(c, sessionCookie);
    const apiKey = await verifySession(deps, session);
    if (!apiKey || !session) {
      if (session !== undefined) deleteCookie(c, sessionCookie, { path: cookiePath, secure: true });
      return c.redirect("/admin/login", 303);
    }
    if (c.req.method === "POST") {
      const body: FormBody = await c.req.parseBody({ all: true });
      if (!(await verifyCsrfToken(deps, session, body.csrf))) return forbidden(c);
    }
    c.set("session", session);
    c.set("apiKeyId", apiKey.id);
    c.set("admin", hasScope(apiKey.scopes, "admin"));
    // Console changes are recorded under the key that signed in.
    c.set("actor", { kind: "console", keyId: apiKey.id, name: apiKey.name });
    c.set("csrf", await csrfToken(deps, session));
    await next();
  };
}
