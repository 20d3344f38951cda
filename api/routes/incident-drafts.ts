import { Hono } from "hono";
import { type AuthEnv } from "@/api/middleware/auth";
import { commit } from "@/api/services/effects";
import { discardIncidentDraft, listIncidentDrafts, publishIncidentDraft } from "@/api/services/incident-drafts";
import type { IncidentDraft } from "@/db/schema";
import type { AppDeps } from "@/api/app";
import { presentIncident } from "@/present/statuspage";
import { staff } from "./staff";
import { loadPage } from "@/api/services/read-model";

const present = (d: IncidentDraft) => ({
  id: d.id,
  name: d.name,
  body: d.body,
  components: d.components,
  notify: d.notify,
  source: { kind: d.sourceKind, id: d.sourceId },
  created_at: new Date(d.createdAt).toISOString(),
});

/** Incidents a detection prepared for staff: publish one as it is (write scope), or discard it. */
export function incidentDraftRoutes(deps: AppDeps) {
  return new Hono<AuthEnv>()
    .get("/incident-drafts", async (c) => c.json((await listIncidentDrafts(deps)).map(present)))
    .post("/incident-drafts/:id/publish", async (c) => {
      const incident = await commit(deps, publishIncidentDraft(staff(c, deps), c.req.param("id")));
      return c.json(presentIncident(incident, await loadPage(deps.db, deps.siteUrl)), 201);
    })
    .delete("/incident-drafts/:id", async (c) => {
      await commit(deps, discardIncidentDraft(staff(c, deps), c.req.param("id")));
      return c.body(null, 204);
    });
}
