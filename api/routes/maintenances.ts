import { Hono } from "hono";
import { readJson } from "@/api/http";
import type { AuthEnv } from "@/api/middleware/auth";
import { presentIncident } from "@/present/statuspage";
import type { IncidentView } from "@/present/views";
import { MaintenanceCreate, MaintenanceUpdateCreate } from "@/api/schemas";
import { commit, type Written } from "@/api/services/effects";
import { deleteIncident, getIncidentRow } from "@/api/services/incidents";
import { postMaintenanceUpdate, scheduleMaintenance } from "@/api/services/maintenances";
import { loadIncident, loadPage, loadRecent } from "@/api/services/read-model";
import type { AppDeps } from "@/api/app";
import { staff } from "./staff";
import { answerChangedIncident } from "./changed-incident";

export function maintenanceRoutes(deps: AppDeps) {
  const answer = (write: Promise<Written<IncidentView>>) => answerChangedIncident(deps, write);

  return new Hono<AuthEnv>()
    .get("/maintenances", async (c) => {
      const page = await loadPage(deps.db, deps.siteUrl);
      return c.json((await loadRecent(deps.db, "maintenance", 100)).map((v) => presentIncident(v, page)));
    })
    .post("/maintenances", async (c) => {
      return c.json(await answer(scheduleMaintenance(staff(c, deps), await readJson(c, MaintenanceCreate))), 201);
    })
    .get("/maintenances/:id", async (c) => {
      await getIncidentRow(deps, c.req.param("id"), "maintenance");
      return c.json(
        presentIncident(await loadIncident(deps.db, c.req.param("id")), await loadPage(deps.db, deps.siteUrl)),
      );
    })
    .post("/maintenances/:id/updates", async (c) => {
      const input = await readJson(c, MaintenanceUpdateCreate);
      return c.json(await answer(postMaintenanceUpdate(staff(c, deps), c.req.param("id"), input)), 201);
    })
    .delete("/maintenances/:id", async (c) => {
      await commit(deps, deleteIncident(staff(c, deps), c.req.param("id"), "maintenance"));
      return c.body(null, 204);
    });
}
