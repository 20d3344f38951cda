import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { deleteCookie, setCookie } from "hono/cookie";
import { AppError } from "@/api/errors";
import { readForm } from "@/api/http";
import {
  type AdminEnv,
  cookiePath,
  cookieWillBeDropped,
  requireSession,
  sameOrigin,
  sessionCookie,
} from "@/api/middleware/admin-session";
import { type AdminAuditView, auditEntryView } from "@/present/admin-views";
import { listAudit } from "@/api/services/audit";
import { clientRetryAfter, noteAuthFailure } from "@/api/middleware/auth-throttle";
import { createSession, endSession, sessionMs } from "@/api/services/admin-sessions";
import { authenticate, hasScope } from "@/api/services/api-keys";
import type { AppDeps } from "@/api/app";
import { staff } from "./staff";
import { apiKeyRoutes } from "./console/api-keys";
import { componentsRoutes } from "./console/components";
import { dashboardRoutes } from "./console/dashboard";
import { heartbeatRoutes } from "./console/heartbeats";
import { incidentDraftRoutes } from "./console/incident-drafts";
import { monitorRoutes } from "./console/monitors";
import { postmortemConsoleRoutes } from "./console/postmortems";
import { staffAlertRoutes } from "./console/staff-alerts";
import { channelRoutes } from "./console/channels";
import { consoleKit } from "./console/kit";
import { settingsRoutes } from "./console/settings";
import { subscriberRoutes } from "./console/subscribers";
import { templateRoutes } from "./console/templates";

/** The staff console: server-rendered forms over the same services, publishing and notifying as the staff API does. */
export function adminConsoleRoutes(deps: AppDeps) {
  const kit = consoleKit(deps);
  const login = async (c: Context, message: string | null, status: 200 | 401 | 429 = 200, extra = {}) =>
    kit.render(
      c,
      "/admin/login",
      { page: await kit.page(), message, insecure: cookieWillBeDropped(c, deps.siteUrl) },
      status,
      extra,
    );

  return new Hono<AdminEnv>()
    .use(bodyLimit({ maxSize: 64 * 1024, onError: (c) => c.text("Request body too large", 413) }))
    .use(async (c, next) => (c.req.method === "POST" && !sameOrigin(c, deps.siteUrl) ? kit.forbidden(c) : next()))
    .use(async (c, next) => {
      if (c.req.method !== "POST") return next();
      try {
        await readForm(c);
      } catch (error) {
        if (error instanceof AppError) return kit.notice(c, "Bad request", error.message, 400);
        throw error;
      }
      return next();
    })
    .get("/login", (c) => login(c, null))
    .post("/login", async (c) => {
      // Past its failed attempts a client is turned away before its key is looked at (the API counts with it).
      const retryAfter = await clientRetryAfter(deps, c);
      if (retryAfter !== null) {
        const wait = `${Math.ceil(retryAfter / 60)} min`;
        const message = `Too many failed sign-ins from this address. Try again in ${wait}.`;
        return login(c, message, 429, { "retry-after": String(retryAfter) });
      }
      const key = (await kit.body(c)).key;
      const apiKey = await authenticate(deps, typeof key === "string" ? key.trim() : undefined).catch(() => null);
      if (!apiKey || !hasScope(apiKey.scopes, "write")) {
        await noteAuthFailure(deps, c);
        // Slows down guessing; the answer is the same whether the key is unknown, revoked or read-only.
        await new Promise((resolve) => setTimeout(resolve, 500));
        return login(c, "That key cannot sign in. Use an API key with write access.", 401);
      }
      const session = await createSession(deps, apiKey);
      setCookie(c, sessionCookie, session.value, {
        httpOnly: true,
        secure: true,
        sameSite: "Strict",
        path: cookiePath,
        maxAge: sessionMs / 1000,
        expires: new Date(session.expiresAt),
      });
      return c.redirect("/admin", 303);
    })
    .use(requireSession(deps, kit.forbidden))
    .get("/audit", async (c) => {
      // A malformed filter or cursor is ignored rather than refused: this is a page to read, not an API.
      const type = c.req.query("resource_type")?.trim().slice(0, 64) || null;
      const cursor = Number(c.req.query("cursor")) || undefined;
      const { rows, nextCursor } = await listAudit(deps, { limit: 100, cursor, resourceType: type ?? undefined });
      const next = nextCursor && new URLSearchParams({ ...(type && { resource_type: type }), cursor: `${nextCursor}` });
      const view: AdminAuditView = {
        ...(await kit.chrome(c)),
        entries: rows.map(auditEntryView),
        resourceType: type,
        nextQuery: next ? next.toString() : null,
      };
      return kit.render(c, "/admin/audit", view, 200);
    })
    .post("/logout", async (c) => {
      // Ended on the server: a copy of the cookie (another tab, a stolen one) opens nothing any more.
      await endSession(staff(c, deps), c.get("session"));
      deleteCookie(c, sessionCookie, { path: cookiePath, secure: true, httpOnly: true, sameSite: "Strict" });
      return c.redirect("/admin/login", 303);
    })
    .route("/", dashboardRoutes(deps, kit))
    .route("/", componentsRoutes(deps, kit))
    .route("/", templateRoutes(deps, kit))
    .route("/", settingsRoutes(deps, kit))
    .route("/", apiKeyRoutes(deps, kit))
    .route("/", subscriberRoutes(deps, kit))
    .route("/", incidentDraftRoutes(deps, kit))
    .route("/", postmortemConsoleRoutes(deps, kit))
    .route("/", monitorRoutes(deps, kit))
    .route("/", heartbeatRoutes(deps, kit))
    .route("/", staffAlertRoutes(deps, kit))
    .route("/", channelRoutes(deps, kit));
}
