import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { deleteCookie, setCookie } from "hono/cookie";
import { AppError } from "@/api/errors";
import { readForm, validate } from "@/api/http";
import {
  type AdminEnv,
  cookiePath,
  cookieWillBeDropped,
  requireSession,
  sameOrigin,
  sessionCookie,
} from "@/api/middleware/admin-session";
import { commit, type Written } from "@/api/services/effects";
import {
  ComponentPatch,
  IncidentCreate,
  IncidentResolve,
  IncidentUpdateCreate,
  MaintenanceCreate,
} from "@/api/schemas";
import { type AdminAuditView, auditEntryView } from "@/present/admin-views";
import { loadAdminDashboard } from "@/api/services/admin-dashboard";
import { listAudit } from "@/api/services/audit";
import { clientRetryAfter, noteAuthFailure } from "@/api/middleware/auth-throttle";
import { createSession, endSession, sessionMs } from "@/api/services/admin-sessions";
import { authenticate, hasScope } from "@/api/services/api-keys";
import { updateComponent } from "@/api/services/components";
import { openIncident, postIncidentUpdate } from "@/api/services/incidents";
import { scheduleMaintenance } from "@/api/services/maintenances";
import { loadPage } from "@/api/services/read-model";
import type { AppDeps } from "@/api/app";
import { staff } from "./staff";
import * as form from "./admin-forms";
import { isClosedIncidentStatus } from "@/db/vocabulary";

/** Flash messages by key: the query string names one, so no posted text is ever echoed through a URL. */
const flashes: Record<string, string> = {
  component: "Component status saved.",
  opened: "Incident opened.",
  updated: "Update posted.",
  resolved: "Incident resolved.",
  scheduled: "Maintenance scheduled.",
};

const headers = {
  "cache-control": "no-store",
  // Not "no-referrer": under it browsers send `Origin: null` on the console's own form posts, which the origin check
  // refuses (https://fetch.spec.whatwg.org/#origin-header). "same-origin" still sends nothing to other sites.
  "referrer-policy": "same-origin",
  "x-frame-options": "DENY",
};

/** The staff console: server-rendered forms over the same services, publishing and notifying as the staff API does. */
export function adminConsoleRoutes(deps: AppDeps) {
  const render = async (
    c: Context,
    path: string,
    locals: object,
    status: 200 | 400 | 401 | 403 | 404 | 409 | 422 | 429,
    extra: Record<string, string> = {},
  ) => c.html((await deps.renderer.render(path, locals)).html, status, { ...headers, ...extra });
  const notice = async (c: Context, title: string, message: string, status: 400 | 403) =>
    render(c, "/admin/notice", { page: await loadPage(deps.db, deps.siteUrl), title, message }, status);
  const forbidden = (c: Context) =>
    notice(
      c,
      "Forbidden",
      "This form has expired or did not come from this console. Go back, reload and try again.",
      403,
    );
  const login = async (c: Context, message: string | null, status: 200 | 401 | 429 = 200, extra = {}) =>
    render(
      c,
      "/admin/login",
      { page: await loadPage(deps.db, deps.siteUrl), message, insecure: cookieWillBeDropped(c, deps.siteUrl) },
      status,
      extra,
    );
  const dashboard = async (c: Context<AdminEnv>, status: 200 | 404 | 409 | 422, error: unknown = null) =>
    render(
      c,
      "/admin",
      {
        ...(await loadAdminDashboard(deps, deps.siteUrl, deps.backupIntervalMs)),
        csrf: c.get("csrf"),
        flash: flashes[c.req.query("flash") ?? ""] ?? null,
        error,
      },
      status,
    );
  // Read once by the middleware below, which answers a form it cannot read; the routes get the parsed copy.
  const body = (c: Context): Promise<form.FormBody> => c.req.parseBody({ all: true });

  /** Runs one change; a refused input shows the dashboard again with the message, and nothing is changed. */
  const act = async (
    c: Context<AdminEnv>,
    name: string,
    run: (b: form.FormBody) => Promise<Written<unknown>>,
    flash: string,
  ) => {
    const posted = await body(c);
    try {
      await commit(deps, run(posted));
    } catch (error) {
      if (!(error instanceof AppError) || ![404, 409, 422].includes(error.status)) throw error;
      const status = error.status as 404 | 409 | 422;
      return dashboard(c, status, { form: name, message: error.message, values: form.formValues(posted) });
    }
    return c.redirect(`/admin?flash=${flash}`, 303);
  };

  return new Hono<AdminEnv>()
    .use(bodyLimit({ maxSize: 64 * 1024, onError: (c) => c.text("Request body too large", 413) }))
    .use(async (c, next) => (c.req.method === "POST" && !sameOrigin(c, deps.siteUrl) ? forbidden(c) : next()))
    .use(async (c, next) => {
      if (c.req.method !== "POST") return next();
      try {
        await readForm(c);
      } catch (error) {
        if (error instanceof AppError) return notice(c, "Bad request", error.message, 400);
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
      const key = (await body(c)).key;
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
    .use(requireSession(deps, forbidden))
    .get("/", (c) => dashboard(c, 200))
    .get("/audit", async (c) => {
      // A malformed filter or cursor is ignored rather than refused: this is a page to read, not an API.
      const type = c.req.query("resource_type")?.trim().slice(0, 64) || null;
      const cursor = Number(c.req.query("cursor")) || undefined;
      const { rows, nextCursor } = await listAudit(deps, { limit: 100, cursor, resourceType: type ?? undefined });
      const next = nextCursor && new URLSearchParams({ ...(type && { resource_type: type }), cursor: `${nextCursor}` });
      const view: AdminAuditView = {
        page: await loadPage(deps.db, deps.siteUrl),
        csrf: c.get("csrf"),
        entries: rows.map(auditEntryView),
        resourceType: type,
        nextQuery: next ? next.toString() : null,
      };
      return render(c, "/admin/audit", view, 200);
    })
    .post("/logout", async (c) => {
      // Ended on the server: a copy of the cookie (another tab, a stolen one) opens nothing any more.
      await endSession(staff(c, deps), c.get("session"));
      deleteCookie(c, sessionCookie, { path: cookiePath, secure: true, httpOnly: true, sameSite: "Strict" });
      return c.redirect("/admin/login", 303);
    })
    .post("/components/:id", (c) =>
      act(
        c,
        "component",
        (b) => updateComponent(staff(c, deps), c.req.param("id"), validate(ComponentPatch, form.componentForm(b))),
        "component",
      ),
    )
    .post("/incidents", (c) =>
      act(
        c,
        "incident",
        (b) => openIncident(staff(c, deps), validate(IncidentCreate, form.openIncidentForm(b))),
        "opened",
      ),
    )
    .post("/incidents/:id/updates", async (c) => {
      const resolving = isClosedIncidentStatus(String((await body(c)).status));
      return act(
        c,
        `update:${c.req.param("id")}`,
        (b) =>
          postIncidentUpdate(
            staff(c, deps),
            c.req.param("id"),
            validate(IncidentUpdateCreate, form.incidentUpdateForm(b)),
          ),
        resolving ? "resolved" : "updated",
      );
    })
    .post("/incidents/:id/resolve", (c) =>
      act(
        c,
        `update:${c.req.param("id")}`,
        async (b) => {
          const input = validate(IncidentResolve, form.resolveForm(b));
          return postIncidentUpdate(staff(c, deps), c.req.param("id"), { ...input, status: "resolved" });
        },
        "resolved",
      ),
    )
    .post("/maintenances", (c) =>
      act(
        c,
        "maintenance",
        async (b) => {
          const { timeZone } = await loadPage(deps.db, deps.siteUrl);
          const input = validate(MaintenanceCreate, form.maintenanceForm(b, timeZone));
          return scheduleMaintenance(staff(c, deps), input);
        },
        "scheduled",
      ),
    );
}
