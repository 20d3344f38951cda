import { Hono, type Context } from "hono";
import { AppError } from "@/api/errors";
import { validate } from "@/api/http";
import type { AdminEnv } from "@/api/middleware/admin-session";
import { StaffDestinationCreate } from "@/api/schemas";
import { commit } from "@/api/services/effects";
import { listStaffAlerts, queueTestAlert } from "@/api/services/staff-alerts";
import {
  createStaffDestination,
  deleteStaffDestination,
  listStaffDestinations,
} from "@/api/services/staff-destinations";
import type { StaffDestination } from "@/db/schema";
import type { AdminStaffAlertsView, FormError } from "@/present/admin-views";
import type { AppDeps } from "@/api/app";
import { staff } from "../staff";
import * as form from "../admin-forms";
import type { ConsoleKit } from "./kit";

/** A webhook's URL may carry a token of its own (a chat's incoming webhook): the page names its host only. */
function shownTarget(d: Pick<StaffDestination, "kind" | "target">) {
  if (d.kind !== "webhook") return d.target;
  try {
    return `${new URL(d.target).host} (webhook)`;
  } catch {
    return "webhook";
  }
}

/**
 * Where staff alerts go, and the recent alerts with each delivery (admin, as in the API). A webhook's signing secret
 * is on the answer to the form that added it, once.
 */
export function staffAlertRoutes(deps: AppDeps, kit: ConsoleKit) {
  const show = async (
    c: Context<AdminEnv>,
    status: 200 | 201 | 404 | 409 | 422,
    error: FormError = null,
    secret: AdminStaffAlertsView["secret"] = null,
  ) => {
    const [destinations, alerts] = await Promise.all([listStaffDestinations(deps), listStaffAlerts(deps, 50)]);
    const names = new Map(destinations.map((d) => [d.id, d.name ?? shownTarget(d)]));
    const view: AdminStaffAlertsView = {
      ...(await kit.chrome(c)),
      error,
      secret,
      destinations: destinations.map((d) => ({
        id: d.id,
        kind: d.kind,
        target: shownTarget(d),
        name: d.name,
        fromConfig: d.source === "config",
        disabledReason: d.disabledAt === null ? null : (d.disabledReason ?? "disabled"),
      })),
      alerts: alerts.map((a) => ({
        id: a.id,
        subject: a.subject,
        createdAt: a.createdAt,
        deliveries: a.deliveries.map((d) => ({
          destination: names.get(d.destinationId) ?? d.destinationKind,
          status: d.status,
          attempts: d.attempts,
          lastError: d.lastError,
        })),
      })),
    };
    return kit.render(c, "/admin/staff-alerts", view, status);
  };

  return new Hono<AdminEnv>()
    .use("/staff-alerts", kit.requireAdmin)
    .use("/staff-alerts/*", kit.requireAdmin)
    .get("/staff-alerts", (c) => show(c, 200))
    .post("/staff-alerts/destinations", async (c) => {
      const posted = await kit.body(c);
      try {
        const input = validate(StaffDestinationCreate, form.staffDestinationForm(posted));
        const destination = await commit(deps, createStaffDestination(staff(c, deps), input));
        if (destination.secret === null) return c.redirect("/admin/staff-alerts?flash=destination-added", 303);
        // Answered directly, not redirected: the secret must not travel through a URL or be shown again.
        return show(c, 201, null, { target: shownTarget(destination), secret: destination.secret });
      } catch (error) {
        if (!(error instanceof AppError) || ![409, 422].includes(error.status)) throw error;
        const status = error.status as 409 | 422;
        return show(c, status, { form: "destination", message: error.message, values: form.formValues(posted) });
      }
    })
    .post("/staff-alerts/destinations/:id/remove", (c) =>
      kit.act(
        c,
        `destination:${c.req.param("id")}`,
        () => deleteStaffDestination(staff(c, deps), c.req.param("id")),
        "/admin/staff-alerts?flash=destination-removed",
        show,
      ),
    )
    .post("/staff-alerts/destinations/:id/test", (c) =>
      kit.act(
        c,
        `destination:${c.req.param("id")}`,
        () => queueTestAlert(staff(c, deps), c.req.param("id")),
        "/admin/staff-alerts?flash=test-alert",
        show,
      ),
    );
}
