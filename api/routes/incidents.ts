import { Hono } from "hono";
import { readJson } from "@/api/http";
import type { AuthEnv } from "@/api/middleware/auth";
import type { IncidentView } from "@/present/views";
import { presentIncident } from "@/present/statuspage";
import { IncidentCreate, IncidentPatch, IncidentResolve, IncidentUpdateCreate, UpdateEdit } from "@/api/schemas";
import { commit, type Written } from "@/api/services/effects";
import * as service from "@/api/services/incidents";
import { loadIncident, loadPage, loadRecent } from "@/api/services/read-model";
import type { AppDeps } from "@/api/app";
import { staff } from "./staff";
import { answerChangedIncident } from "./changed-incident";

export function incidentRoutes(deps: AppDeps) {
  const answer = (write: Promise<Written<IncidentView>>) => answerChangedIncident(deps, write);

  return new Hono<AuthEnv>()
    .get("/incidents", async (c) => {
      const limit = Math.min(Math.max(Number(c.req.query("limit") ?? 50) || 50, 1), 500);
      const page = await loadPage(deps.db, deps.siteUrl);
      return c.json((await loadRecent(deps.db, "incident", limit)).map((v) => presentIncident(v, page)));
    })
    .post("/incidents", async (c) => {
      return c.json(await answer(service.openIncident(staff(c, deps), await readJson(c, IncidentCreate))), 201);
    })
    .get("/incidents/:id", async (c) => {
      await service.getIncidentRow(deps, c.req.param("id"), "incident");
      const view = await loadIncident(deps.db, c.req.param("id"));
      return c.json(presentIncident(view, await loadPage(deps.db, deps.siteUrl)));
    })
    .patch("/incidents/:id", async (c) => {
      return c.json(
        await answer(service.editIncident(staff(c, deps), c.req.param("id"), await readJson(c, IncidentPatch))),
      );
    })
    .delete("/incidents/:id", async (c) => {
      await commit(deps, service.deleteIncident(staff(c, deps), c.req.param("id"), "incident"));
      return c.body(null, 204);
    })
    .post("/incidents/:id/updates", async (c) => {
      const input = await readJson(c, IncidentUpdateCreate);
      return c.json(await answer(service.postIncidentUpdate(staff(c, deps), c.req.param("id"), input)), 201);
    })
    .post("/incidents/:id/resolve", async (c) => {
      const input = await readJson(c, IncidentResolve);
      return c.json(
        await answer(service.postIncidentUpdate(staff(c, deps), c.req.param("id"), { ...input, status: "resolved" })),
      );
    })
    .patch("/incidents/:id/updates/:updateId", async (c) => {
      const edit = await readJson(c, UpdateEdit);
      return c.json(await answer(service.editUpdate(staff(c, deps), c.req.param("id"), c.req.param("updateId"), edit)));
    });
}
