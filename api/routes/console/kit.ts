import type { Context, MiddlewareHandler } from "hono";
import { AppError } from "@/api/errors";
import type { AdminEnv } from "@/api/middleware/admin-session";
import { commit, type Written } from "@/api/services/effects";
import { loadPage } from "@/api/services/read-model";
import type { FormError } from "@/present/admin-views";
import type { AppDeps } from "@/api/app";
import * as form from "../admin-forms";

export type PageStatus = 200 | 201 | 400 | 401 | 403 | 404 | 409 | 422 | 429;
/** Renders a console page again after a refused form, with the error and what was typed. */
export type Show = (c: Context<AdminEnv>, status: 409 | 422, error: FormError) => Promise<Response>;

/** Flash messages by key: the query string names one, so no posted text is ever echoed through a URL. */
const flashes: Record<string, string> = {
  component: "Component status saved.",
  opened: "Incident opened.",
  updated: "Update posted.",
  resolved: "Incident resolved.",
  scheduled: "Maintenance scheduled.",
  started: "Maintenance started.",
  completed: "Maintenance completed.",
  cancelled: "Maintenance cancelled.",
  "series-stopped": "Recurring maintenance stopped; its occurrences not started are cancelled.",
  "component-created": "Component created.",
  "component-saved": "Component saved.",
  "component-moved": "Order saved.",
  "component-deleted": "Component deleted.",
  "group-created": "Group created.",
  "group-saved": "Group saved.",
  "group-deleted": "Group deleted; its components are now ungrouped.",
  settings: "Page settings saved.",
  "key-revoked": "API key revoked.",
  "subscriber-removed": "Subscriber removed.",
  "chat-channel-removed": "Chat channel removed.",
  "template-created": "Template saved.",
  "template-saved": "Template saved.",
  "template-deleted": "Template deleted.",
  "monitor-created": "Monitor added. Its first check comes within its interval.",
  "monitor-saved": "Monitor saved.",
  "monitor-paused": "Monitor paused.",
  "monitor-resumed": "Monitor resumed: its next result decides its state.",
  "monitor-deleted": "Monitor deleted.",
  "heartbeat-paused": "Heartbeat paused.",
  "heartbeat-resumed": "Heartbeat resumed: it waits for its next ping.",
  "heartbeat-deleted": "Heartbeat deleted.",
  "draft-published": "Incident published from the draft.",
  "draft-discarded": "Draft discarded.",
  "postmortem-saved": "Postmortem draft saved. Readers see nothing of it until it is published.",
  "postmortem-published": "Postmortem published.",
  "postmortem-unpublished": "Postmortem unpublished: the incident is resolved again.",
  "postmortem-deleted": "Postmortem draft deleted.",
  "destination-added": "Alert destination added.",
  "destination-removed": "Alert destination removed.",
  "test-alert": "Test alert queued: its delivery shows below.",
  "channel-added": "Chat channel added.",
  "channel-removed": "Chat channel removed.",
  "channel-enabled": "Chat channel enabled again: the next update reaches it.",
};

const headers = {
  "cache-control": "no-store",
  // Not "no-referrer": under it browsers send `Origin: null` on the console's own form posts, which the origin check
  // refuses (https://fetch.spec.whatwg.org/#origin-header). "same-origin" still sends nothing to other sites.
  "referrer-policy": "same-origin",
  "x-frame-options": "DENY",
};

/** What every console page and form shares: rendering, notices, the Post/Redirect/Get of a change. */
export function consoleKit(deps: AppDeps) {
  const render = async (
    c: Context,
    path: string,
    locals: object,
    status: PageStatus,
    extra: Record<string, string> = {},
  ) => c.html((await deps.renderer.render(path, locals)).html, status, { ...headers, ...extra });
  const page = () => loadPage(deps.db, deps.siteUrl);
  const notice = async (c: Context, title: string, message: string, status: 400 | 403 | 404) =>
    render(c, "/admin/notice", { page: await page(), title, message }, status);
  const forbidden = (c: Context) =>
    notice(
      c,
      "Forbidden",
      "This form has expired or did not come from this console. Go back, reload and try again.",
      403,
    );
  // Read once by the console's middleware, which answers a form it cannot read; the routes get the parsed copy.
  const body = (c: Context): Promise<form.FormBody> => c.req.parseBody({ all: true });

  /** The flash named in the query string and the session's csrf token: what every console page shows. */
  const chrome = async (c: Context<AdminEnv>) => ({
    page: await page(),
    csrf: c.get("csrf"),
    admin: c.get("admin"),
    flash: flashes[c.req.query("flash") ?? ""] ?? null,
  });

  /**
   * Runs one change and redirects to `done` (Post/Redirect/Get). A refused input shows the form's page again with the
   * message and what was typed, and nothing is changed.
   */
  const act = async (
    c: Context<AdminEnv>,
    name: string,
    run: (b: form.FormBody) => Promise<Written<unknown>>,
    done: string,
    show: Show,
  ) => {
    const posted = await body(c);
    try {
      await commit(deps, run(posted));
    } catch (error) {
      if (!(error instanceof AppError) || ![404, 409, 422].includes(error.status)) throw error;
      // The thing the form was about is gone (another tab deleted it): its form is no longer on the page to hold the message.
      if (error.status === 404) return notice(c, "Not found", error.message, 404);
      const status = error.status as 409 | 422;
      return show(c, status, { form: name, message: error.message, values: form.formValues(posted) });
    }
    return c.redirect(done, 303);
  };

  /** Settings, API keys and subscribers need the admin scope, in the console as in the API. */
  const requireAdmin: MiddlewareHandler<AdminEnv> = async (c, next) => {
    if (c.get("admin")) return next();
    return notice(c, "Admin key needed", "This page needs a console sign-in with an API key of admin scope.", 403);
  };

  return { render, page, notice, forbidden, body, chrome, act, requireAdmin };
}

export type ConsoleKit = ReturnType<typeof consoleKit>;
