import { Hono, type Context } from "hono";
import type { AdminEnv } from "@/api/middleware/admin-session";
import type { StaffDeps } from "@/api/services/audit";
import type { Written } from "@/api/services/effects";
import { discardIncidentDraft, publishIncidentDraft } from "@/api/services/incident-drafts";
import type { AppDeps } from "@/api/app";
import { staff } from "../staff";
import { dashboardPage } from "./dashboard";
import type { ConsoleKit } from "./kit";

/** Incident drafts a detection prepared, published or discarded from the dashboard (write scope, as in the API). */
export function incidentDraftRoutes(deps: AppDeps, kit: ConsoleKit) {
  const dashboard = dashboardPage(deps, kit);
  const act = (c: Context<AdminEnv>, run: (deps: StaffDeps, id: string) => Promise<Written<unknown>>, flash: string) =>
    kit.act(
      c,
      `draft:${c.req.param("id")}`,
      () => run(staff(c, deps), c.req.param("id")!),
      `/admin?flash=${flash}`,
      dashboard,
    );
  return new Hono<AdminEnv>()
    .post("/incident-drafts/:id/publish", (c) => act(c, publishIncidentDraft, "draft-published"))
    .post("/incident-drafts/:id/discard", (c) => act(c, discardIncidentDraft, "draft-discarded"));
}
