import { and, desc, eq, sql } from "drizzle-orm";
import { type Db, runAtomically, type Statement } from "@/db/client";
import { type StaffAlert, staffAlertDeliveries, staffAlerts, staffDestinations } from "@/db/schema";
import { AppError, notFound } from "@/api/errors";
import { newId } from "@/api/ids";
import { type StaffDeps, writeAudited } from "./audit";
import type { Deps } from "./deps";
import { type Written, written } from "./effects";
import { loadPage } from "./read-model";

/**
 * Something staff must hear about (a monitor down, a late heartbeat, a failed backup). `key` names the event: the same
 * key queued again is the same alert. `kind` says what it is about ("backup_failed", "monitor_down", …).
 */
export type StaffAlertInput = { key: string; kind: string; subject: string; text: string; link?: string };

/** A random 12-character id made by SQLite itself, for rows created by INSERT … SELECT. */
const sqlId = sql`lower(hex(randomblob(6)))`;

/**
 * Statements that queue `alert` for every enabled staff destination, to run in the same write as the event that
 * causes it (so a crash loses nothing and doubles nothing). The alert is inserted unless its key is already known,
 * and its deliveries are fixed only if that insert made the row: queued twice, it is one alert with one delivery per
 * destination. The caller applies `{ wake: true }`.
 */
export function staffAlertStatements(db: Db, alert: StaffAlertInput, at: number): Statement[] {
  const id = newId();
  return [
    db
      .insert(staffAlerts)
      .values({
        id,
        key: alert.key,
        kind: alert.kind,
        subject: alert.subject,
        text: alert.text,
        link: alert.link ?? null,
        createdAt: at,
      })
      .onConflictDoNothing({ target: staffAlerts.key }),
    db.insert(staffAlertDeliveries).select(
      sql`select ${sqlId}, ${id}, d.id, 'pending', 0, ${at}, null, null
          from ${staffDestinations} d
          where d.disabled_at is null and exists (select 1 from ${staffAlerts} a where a.id = ${id})`,
    ),
  ];
}

/** Queues an alert on its own, when no other write causes it (a missing backup is noticed by a clock). */
export async function queueStaffAlert(deps: Deps, alert: StaffAlertInput): Promise<Written<boolean>> {
  const [known] = await deps.db.select({ id: staffAlerts.id }).from(staffAlerts).where(eq(staffAlerts.key, alert.key));
  if (known) return written(false, {});
  await runAtomically(deps.db, staffAlertStatements(deps.db, alert, deps.clock()));
  return written(true, { wake: true });
}

export type StaffAlertDeliveryView = {
  id: string;
  destinationId: string;
  destinationKind: string;
  destinationName: string | null;
  status: string;
  attempts: number;
  nextAttemptAt: number;
  lastError: string | null;
  sentAt: number | null;
};
export type StaffAlertView = StaffAlert & { deliveries: StaffAlertDeliveryView[] };

/** The newest alerts first, each with how its deliveries stand. */
export async function listStaffAlerts({ db }: Deps, limit = 50): Promise<StaffAlertView[]> {
  const alerts = await db.select().from(staffAlerts).orderBy(desc(staffAlerts.createdAt)).limit(limit);
  if (alerts.length === 0) return [];
  // The ids as one JSON parameter: D1 binds at most 100 parameters per statement.
  const ids = JSON.stringify(alerts.map((a) => a.id));
  const rows = await db
    .select({
      alertId: staffAlertDeliveries.alertId,
      id: staffAlertDeliveries.id,
      destinationId: staffAlertDeliveries.destinationId,
      destinationKind: staffDestinations.kind,
      destinationName: staffDestinations.name,
      status: staffAlertDeliveries.status,
      attempts: staffAlertDeliveries.attempts,
      nextAttemptAt: staffAlertDeliveries.nextAttemptAt,
      lastError: staffAlertDeliveries.lastError,
      sentAt: staffAlertDeliveries.sentAt,
    })
    .from(staffAlertDeliveries)
    .innerJoin(staffDestinations, eq(staffDestinations.id, staffAlertDeliveries.destinationId))
    .where(sql`${staffAlertDeliveries.alertId} IN (SELECT value FROM json_each(${ids}))`)
    .orderBy(staffDestinations.createdAt);
  return alerts.map((alert) => ({
    ...alert,
    deliveries: rows.filter((r) => r.alertId === alert.id).map(({ alertId: _a, ...delivery }) => delivery),
  }));
}

/** Queues a test alert to one destination only, so staff see that it works (or why not) without alerting others. */
export async function queueTestAlert(deps: StaffDeps, destinationId: string): Promise<Written<StaffAlertView>> {
  const [destination] = await deps.db.select().from(staffDestinations).where(eq(staffDestinations.id, destinationId));
  if (!destination) throw notFound("Staff destination", destinationId);
  if (destination.disabledAt !== null) {
    throw new AppError("conflict", `Staff destination ${destinationId} is disabled: ${destination.disabledReason}`);
  }
  const page = await loadPage(deps.db, deps.siteUrl);
  const at = deps.clock();
  const alert: StaffAlert = {
    id: newId(),
    key: `test-${newId()}`,
    kind: "test",
    subject: `[${page.name}] Test alert`,
    text: `A test of a staff alert destination of ${page.name}'s status page: if you read this, alerts reach you.`,
    link: page.url,
    createdAt: at,
  };
  const delivery = { id: newId(), alertId: alert.id, destinationId, status: "pending" as const, nextAttemptAt: at };
  await writeAudited(deps, { resourceType: "staff_destination", resourceId: destinationId, action: "test" }, [
    deps.db.insert(staffAlerts).values(alert),
    deps.db.insert(staffAlertDeliveries).values(delivery),
  ]);
  const shown: StaffAlertDeliveryView = {
    id: delivery.id,
    destinationId,
    destinationKind: destination.kind,
    destinationName: destination.name,
    status: "pending",
    attempts: 0,
    nextAttemptAt: at,
    lastError: null,
    sentAt: null,
  };
  return written({ ...alert, deliveries: [shown] }, { wake: true });
}

/** Deliveries still waiting for a destination that has just been disabled will never go: they fail with its reason. */
export function failPendingStatements(db: Db, destinationId: string, reason: string, at: number): Statement[] {
  return [
    db
      .update(staffAlertDeliveries)
      .set({ status: "failed", lastError: `destination disabled: ${reason}`, nextAttemptAt: at })
      .where(and(eq(staffAlertDeliveries.destinationId, destinationId), eq(staffAlertDeliveries.status, "pending"))),
  ];
}
