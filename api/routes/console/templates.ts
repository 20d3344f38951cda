import { Hono, type Context } from "hono";
import { validate } from "@/api/http";
import type { AdminEnv } from "@/api/middleware/admin-session";
import { IncidentTemplateCreate, IncidentTemplatePatch } from "@/api/schemas";
import { defaultBody } from "@/api/services/incidents";
import {
  createIncidentTemplate,
  deleteIncidentTemplate,
  listIncidentTemplates,
} from "@/api/services/incident-templates";
import { updateIncidentTemplate } from "@/api/services/incident-templates";
import { loadComponentTree } from "@/api/services/read-model";
import { updateStatuses, type UpdateStatus } from "@/db/vocabulary";
import type { AdminTemplatesView, FormError } from "@/present/admin-views";
import type { AppDeps } from "@/api/app";
import { staff } from "../staff";
import * as form from "../admin-forms";
import type { ConsoleKit } from "./kit";

const bodies = Object.fromEntries(updateStatuses.map((s) => [s, defaultBody(s)])) as Record<UpdateStatus, string>;

/** Saved incident templates: the list with a form for a new one, and one page per template to edit it. */
export function templateRoutes(deps: AppDeps, kit: ConsoleKit) {
  const show = async (c: Context<AdminEnv>, status: 200 | 404 | 409 | 422, error: FormError = null) => {
    const [templates, tree] = await Promise.all([listIncidentTemplates(deps), loadComponentTree(deps.db)]);
    const groupName = new Map(tree.groups.map((g) => [g.id, g.name]));
    const id = c.req.param("id");
    const rows = templates.map(({ createdAt: _c, updatedAt: _u, ...t }) => t);
    const editing = id === undefined ? null : (rows.find((t) => t.id === id) ?? null);
    if (id !== undefined && !editing) return kit.notice(c, "Not found", `Incident template ${id} does not exist`, 404);
    const view: AdminTemplatesView = {
      ...(await kit.chrome(c)),
      error,
      templates: rows,
      editing,
      bodies,
      components: tree.components.map((x) => ({ ...x, group: x.groupId ? (groupName.get(x.groupId) ?? null) : null })),
    };
    return kit.render(c, "/admin/templates", view, status);
  };

  return new Hono<AdminEnv>()
    .get("/templates", (c) => show(c, 200))
    .post("/templates", (c) =>
      kit.act(
        c,
        "template",
        (b) => createIncidentTemplate(staff(c, deps), validate(IncidentTemplateCreate, form.templateForm(b))),
        "/admin/templates?flash=template-created",
        show,
      ),
    )
    .get("/templates/:id", (c) => show(c, 200))
    .post("/templates/:id", (c) =>
      kit.act(
        c,
        "template",
        (b) =>
          updateIncidentTemplate(
            staff(c, deps),
            c.req.param("id"),
            validate(IncidentTemplatePatch, form.templateForm(b)),
          ),
        "/admin/templates?flash=template-saved",
        show,
      ),
    )
    .post("/templates/:id/delete", (c) =>
      kit.act(
        c,
        `template:${c.req.param("id")}`,
        () => deleteIncidentTemplate(staff(c, deps), c.req.param("id")),
        "/admin/templates?flash=template-deleted",
        show,
      ),
    );
}
