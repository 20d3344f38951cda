import { Hono } from "hono";
import { readJson } from "@/api/http";
import type { AuthEnv } from "@/api/middleware/auth";
import { MaintenanceSeriesPatch } from "@/api/schemas";
import { commit } from "@/api/services/effects";
import { editSeries, getSeries, type SeriesView, stopSeries } from "@/api/services/maintenance-series";
import { toIso } from "@/present/time";
import type { AppDeps } from "@/api/app";
import { staff } from "./staff";

const presentSeries = (s: SeriesView) => ({
  id: s.id,
  every: s.every,
  name: s.name,
  first_date: s.firstDate,
  local_time: s.localTime,
  duration_minutes: Math.round(s.durationMs / 60_000),
  until: s.until,
  count: s.count,
  reminders: s.reminders,
  components: s.components,
  auto_transition: s.autoTransition,
  notify: s.notify,
  created_at: toIso(s.createdAt),
  stopped_at: s.stoppedAt === null ? null : toIso(s.stoppedAt),
  occurrences: s.occurrences.map((o) => ({ number: o.number, maintenance_id: o.maintenanceId })),
});

/** A recurring maintenance: read it, end it at another date or count, or stop it (DELETE). */
export function maintenanceSeriesRoutes(deps: AppDeps) {
  return new Hono<AuthEnv>()
    .get("/maintenance-series/:id", async (c) => c.json(presentSeries(await getSeries(deps, c.req.param("id")))))
    .patch("/maintenance-series/:id", async (c) => {
      const input = await readJson(c, MaintenanceSeriesPatch);
      return c.json(presentSeries(await commit(deps, editSeries(staff(c, deps), c.req.param("id"), input))));
    })
    .delete("/maintenance-series/:id", async (c) => {
      return c.json(presentSeries(await commit(deps, stopSeries(staff(c, deps), c.req.param("id")))));
    });
}
