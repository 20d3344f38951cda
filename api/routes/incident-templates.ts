import { Hono } from "hono";
import { readJson } from "@/api/http";
import type { AuthEnv } from "@/api/middleware/auth";
import { IncidentTemplateCreate, IncidentTemplatePatch } from "@/api/schemas";
import { commit } from "@/api/services/effects";
import * as templates from "@/api/services/incident-templates";
import type { IncidentTemplate } from "@/db/schema";
import type { AppDeps } from "@/api/app";
import { staff } from "./staff";

export const presentIncidentTemplate = (t: IncidentTemplate) => ({
  id: t.id,
  name: t.name,
  title: t.title,
  body: t.body,
  status: t.status,
  components: t.components,
  notify: t.notify,
  created_at: new Date(t.createdAt).toISOString(),
  updated_at: new Date(t.updatedAt).toISOString(),
});

/** Saved incident templates: read scope lists them, write scope changes them (requireKey decides by method). */
export function incidentTemplateRoutes(deps: AppDeps) {
  return new Hono<AuthEnv>()
    .get("/incident-templates", async (c) =>
      c.json((await templates.listIncidentTemplates(deps)).map(presentIncidentTemplate)),
    )
    .post("/incident-templates", async (c) => {
      const input = await readJson(c, IncidentTemplateCreate);
      const created = await commit(deps, templates.createIncidentTemplate(staff(c, deps), input));
      return c.json(presentIncidentTemplate(created), 201);
    })
    .get("/incident-templates/:id", async (c) =>
      c.json(presentIncidentTemplate(await templates.getIncidentTemplate(deps, c.req.param("id")))),
    )
    .patch("/incident-templates/:id", async (c) => {
      const patch = await readJson(c, IncidentTemplatePatch);
      const updated = await commit(deps, templates.updateIncidentTemplate(staff(c, deps), c.req.param("id"), patch));
      return c.json(presentIncidentTemplate(updated));
    })
    .delete("/incident-templates/:id", async (c) => {
      await commit(deps, templates.deleteIncidentTemplate(staff(c, deps), c.req.param("id")));
      return c.body(null, 204);
    });
}
