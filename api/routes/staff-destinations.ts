import { Hono } from "hono";
import type { StaffDestination } from "@/db/schema";
import { readJson, validate } from "@/api/http";
import { type AuthEnv, requireScope } from "@/api/middleware/auth";
import { StaffAlertQuery, StaffDestinationCreate } from "@/api/schemas";
import { commit } from "@/api/services/effects";
import { listStaffAlerts, queueTestAlert, type StaffAlertView } from "@/api/services/staff-alerts";
import {
  createStaffDestination,
  deleteStaffDestination,
  listStaffDestinations,
} from "@/api/services/staff-destinations";
import type { AppDeps } from "@/api/app";
import { staff } from "./staff";

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A destination without its secret, which only the answer that creates it shows. */
const presentDestination = (d: StaffDestination) => ({
  id: d.id,
  kind: d.kind,
  target: d.target,
  name: d.name,
  source: d.source,
  created_at: iso(d.createdAt),
  disabled_at: iso(d.disabledAt),
  disabled_reason: d.disabledReason,
});

const presentAlert = (a: StaffAlertView) => ({
  id: a.id,
  key: a.key,
  kind: a.kind,
  subject: a.subject,
  text: a.text,
  link: a.link,
  created_at: iso(a.createdAt),
  deliveries: a.deliveries.map((d) => ({
    id: d.id,
    destination: { id: d.destinationId, kind: d.destinationKind, name: d.destinationName },
    status: d.status,
    attempts: d.attempts,
    next_attempt_at: d.status === "pending" ? iso(d.nextAttemptAt) : null,
    last_error: d.lastError,
    sent_at: iso(d.sentAt),
  })),
});

/** Where staff alerts go, and the alerts themselves (admin). A webhook's signing secret is shown once, at creation. */
export function staffDestinationRoutes(deps: AppDeps) {
  const admin = requireScope("admin");
  return new Hono<AuthEnv>()
    .use("/staff-destinations", admin)
    .use("/staff-destinations/*", admin)
    .use("/staff-alerts", admin)
    .get("/staff-destinations", async (c) => c.json((await listStaffDestinations(deps)).map(presentDestination)))
    .post("/staff-destinations", async (c) => {
      const input = await readJson(c, StaffDestinationCreate);
      const destination = await commit(deps, createStaffDestination(staff(c, deps), input));
      if (destination.secret === null) return c.json(presentDestination(destination), 201);
      c.set("answerHasSecret", true);
      return c.json({ ...presentDestination(destination), secret: destination.secret }, 201);
    })
    .delete("/staff-destinations/:id", async (c) => {
      await commit(deps, deleteStaffDestination(staff(c, deps), c.req.param("id")));
      return c.body(null, 204);
    })
    .post("/staff-destinations/:id/test", async (c) => {
      const alert = await commit(deps, queueTestAlert(staff(c, deps), c.req.param("id")));
      return c.json(presentAlert(alert), 202);
    })
    .get("/staff-alerts", async (c) => {
      const { limit } = validate(StaffAlertQuery, c.req.query());
      return c.json((await listStaffAlerts(deps, limit)).map(presentAlert));
    });
}
