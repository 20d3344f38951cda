import { Hono, type Context } from "hono";
import { AppError } from "@/api/errors";
import { validate } from "@/api/http";
import type { AdminEnv } from "@/api/middleware/admin-session";
import {
  ComponentPatch,
  IncidentCreate,
  IncidentResolve,
  IncidentUpdateCreate,
  MaintenanceCreate,
} from "@/api/schemas";
import { loadAdminDashboard } from "@/api/services/admin-dashboard";
import { loadAutomaticSummary } from "@/api/services/automatic-summary";
import { updateComponent } from "@/api/services/components";
import { openIncident, postIncidentUpdate } from "@/api/services/incidents";
import { listClosedIncidents } from "@/api/services/postmortems";
import { incidentFromTemplate, listIncidentTemplates } from "@/api/services/incident-templates";
import { cancelMaintenance, startMaintenance } from "@/api/services/maintenance-actions";
import { postMaintenanceUpdate } from "@/api/services/maintenances";
import { planMaintenance, stopSeries } from "@/api/services/maintenance-series";
import { isClosedIncidentStatus } from "@/db/vocabulary";
import type { AdminConsoleView, FormError, IncidentPrefill } from "@/present/admin-views";
import type { AppDeps } from "@/api/app";
import { staff } from "../staff";
import * as form from "../admin-forms";
import type { ConsoleKit } from "./kit";

/** The dashboard page, also shown again with the error by a refused form of the dashboard. */
export function dashboardPage(deps: AppDeps, kit: ConsoleKit) {
  /** `?template=ID` fills the new-incident form from a saved template; one deleted since fills nothing. */
  const prefill = async (id: string | undefined): Promise<IncidentPrefill | null> => {
    if (!id) return null;
    const input = await incidentFromTemplate(deps, id).catch((error: unknown) => {
      if (error instanceof AppError && error.code === "not_found") return null;
      throw error;
    });
    return input && { templateId: id, ...input };
  };
  const dashboard = async (c: Context<AdminEnv>, status: 200 | 404 | 409 | 422, error: FormError = null) => {
    const [data, chrome, templates, chosen, automatic, closedIncidents] = await Promise.all([
      loadAdminDashboard(deps, deps.siteUrl, deps.backupIntervalMs),
      kit.chrome(c),
      listIncidentTemplates(deps),
      prefill(c.req.query("template")),
      loadAutomaticSummary(deps),
      listClosedIncidents(deps),
    ]);
    const view: AdminConsoleView = {
      ...data,
      ...chrome,
      error,
      incidentTemplates: templates.map((t) => ({ id: t.id, name: t.name })),
      prefill: chosen,
      automatic,
      closedIncidents,
    };
    return kit.render(c, "/admin", view, status);
  };
  return dashboard;
}

/** The dashboard: component statuses, incidents and maintenances, worked from one page. */
export function dashboardRoutes(deps: AppDeps, kit: ConsoleKit) {
  const dashboard = dashboardPage(deps, kit);
  const act = (c: Context<AdminEnv>, name: string, run: Parameters<ConsoleKit["act"]>[2], flash: string) =>
    kit.act(c, name, run, `/admin?flash=${flash}`, dashboard);
  const maintenanceAction = (run: typeof startMaintenance, flash: string) => (c: Context<AdminEnv>) =>
    act(
      c,
      `maintenance:${c.req.param("id")}`,
      (b) => run(staff(c, deps), c.req.param("id")!, form.notifyForm(b).notify),
      flash,
    );
  const completeMaintenance: typeof startMaintenance = (deps, id, notify) =>
    postMaintenanceUpdate(deps, id, { status: "completed", notify });

  return new Hono<AdminEnv>()
    .get("/", (c) => dashboard(c, 200))
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
      const resolving = isClosedIncidentStatus(String((await kit.body(c)).status));
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
          const { timeZone } = await kit.page();
          const input = validate(MaintenanceCreate, form.maintenanceForm(b, timeZone));
          return planMaintenance(staff(c, deps), input);
        },
        "scheduled",
      ),
    )
    .post("/maintenances/:id/start", maintenanceAction(startMaintenance, "started"))
    .post("/maintenances/:id/complete", maintenanceAction(completeMaintenance, "completed"))
    .post("/maintenances/:id/cancel", maintenanceAction(cancelMaintenance, "cancelled"))
    .post("/maintenance-series/:id/stop", (c) =>
      act(c, `series:${c.req.param("id")}`, () => stopSeries(staff(c, deps), c.req.param("id")), "series-stopped"),
    );
}
