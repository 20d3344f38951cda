import { Hono, type Context } from "hono";
import { AppError } from "@/api/errors";
import { validate } from "@/api/http";
import type { AdminEnv } from "@/api/middleware/admin-session";
import { PostmortemPublish, PostmortemSave } from "@/api/schemas";
import {
  dropPostmortem,
  loadPostmortem,
  publishPostmortem,
  savePostmortem,
  unpublishPostmortem,
} from "@/api/services/postmortems";
import { isClosedIncidentStatus } from "@/db/vocabulary";
import type { AdminIncidentView, FormError } from "@/present/admin-views";
import type { AppDeps } from "@/api/app";
import { staff } from "../staff";
import * as form from "../admin-forms";
import type { ConsoleKit } from "./kit";

/** An incident's console page: its postmortem, written as a draft, published (telling subscribers if asked), unpublished. */
export function postmortemConsoleRoutes(deps: AppDeps, kit: ConsoleKit) {
  const show = async (c: Context<AdminEnv>, status: 200 | 409 | 422, error: FormError = null) => {
    const id = c.req.param("id")!;
    const state = await loadPostmortem(deps, id).catch((e: unknown) => {
      if (e instanceof AppError && e.code === "not_found") return null;
      throw e;
    });
    if (!state) return kit.notice(c, "Not found", `Incident ${id} does not exist`, 404);
    const { incident, draft } = state;
    const view: AdminIncidentView = {
      ...(await kit.chrome(c)),
      error,
      incident: {
        id: incident.id,
        name: incident.name,
        status: incident.status,
        startedAt: incident.startedAt,
        resolvedAt: incident.resolvedAt,
      },
      closed: isClosedIncidentStatus(incident.status),
      postmortem: {
        draft: draft?.body ?? null,
        draftSavedAt: draft?.body == null ? null : draft.updatedAt,
        publishedBody: state.publishedBody,
        publishedAt: draft?.publishedAt ?? null,
        notifiedAt: draft?.notifiedAt ?? null,
      },
    };
    return kit.render(c, "/admin/incident", view, status);
  };
  const done = (c: Context<AdminEnv>, flash: string) => `/admin/incidents/${c.req.param("id")}?flash=${flash}`;

  return new Hono<AdminEnv>()
    .get("/incidents/:id", (c) => show(c, 200))
    .post("/incidents/:id/postmortem", (c) =>
      kit.act(
        c,
        "postmortem",
        (b) => savePostmortem(staff(c, deps), c.req.param("id"), validate(PostmortemSave, form.postmortemForm(b))),
        done(c, "postmortem-saved"),
        show,
      ),
    )
    .post("/incidents/:id/postmortem/publish", (c) =>
      kit.act(
        c,
        "postmortem-publish",
        (b) => publishPostmortem(staff(c, deps), c.req.param("id"), validate(PostmortemPublish, form.notifyForm(b))),
        done(c, "postmortem-published"),
        show,
      ),
    )
    .post("/incidents/:id/postmortem/unpublish", (c) =>
      kit.act(
        c,
        "postmortem-publish",
        () => unpublishPostmortem(staff(c, deps), c.req.param("id")),
        done(c, "postmortem-unpublished"),
        show,
      ),
    )
    .post("/incidents/:id/postmortem/delete", (c) =>
      kit.act(
        c,
        "postmortem",
        () => dropPostmortem(staff(c, deps), c.req.param("id")),
        done(c, "postmortem-deleted"),
        show,
      ),
    );
}
