import { Hono } from "hono";
import { readJson } from "@/api/http";
import type { AuthEnv } from "@/api/middleware/auth";
import { presentIncident } from "@/present/statuspage";
import type { IncidentView } from "@/present/views";
import { MaintenanceCreate, MaintenancePatch, MaintenanceUpdateCreate } from "@/api/schemas";
import { commit, type Written } from "@/api/services/effects";
import { deleteIncident, getIncidentRow } from "@/api/services/incidents";
import { editMaintenance } from "@/api/services/maintenance-edits";
import { loadMaintenanceExtras } from "@/api/services/maintenance-extras";
import { planMaintenance } from "@/api/services/maintenance-series";
import { postMaintenanceUpdate } from "@/api/services/maintenances";
import { loadIncident, loadPage, loadRecent } from "@/api/services/read-model";
import type { AppDeps } from "@/api/app";
import { staff } from "./staff";

/**
 * Maintenances in Statuspage's shape, plus on this API only their `reminders` and, for an occurrence of a recurring
 * maintenance, its `series_id`.
 */
export function maintenanceRoutes(deps: AppDeps) {
  const present = async (views: IncidentView[]) => {
    const page = await loadPage(deps.db, deps.siteUrl);
    const extras = await loadMaintenanceExtras(
      deps.db,
      views.map((v) => v.id),
    );
    return views.map((v) => ({ ...presentIncident(v, page), ...extras.get(v.id) }));
  };
  const answer = async (write: Promise<Written<IncidentView>>) => (await present([await commit(deps, write)]))[0];

  return new Hono<AuthEnv>()
    .get("/maintenances", async (c) => c.json(await present(await loadRecent(deps.db, "maintenance", 100))))
    .post("/maintenances", async (c) => {
      return c.json(await answer(planMaintenance(staff(c, deps), await readJson(c, MaintenanceCreate))), 201);
    })
    .get("/maintenances/:id", async (c) => {
      await getIncidentRow(deps, c.req.param("id"), "maintenance");
      return c.json((await present([await loadIncident(deps.db, c.req.param("id"))]))[0]);
    })
    .patch("/maintenances/:id", async (c) => {
      const input = await readJson(c, MaintenancePatch);
      return c.json(await answer(editMaintenance(staff(c, deps), c.req.param("id"), input)));
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
