import { sql } from "drizzle-orm";
import type { Db, Statement } from "@/db/client";
import {
  type ComponentStatus,
  components,
  deliveries,
  incidentComponents,
  notifications,
  subscriberComponents,
  subscribers,
  webhookDeliveries,
  webhookEndpoints,
} from "@/db/schema";
import { newId } from "@/api/ids";
import { chatPostStatements } from "./chat-outbox";

export const chunkSize = 100;

/**
 * Statements that record a notification for an update and fix its recipients in the same write: every active
 * subscriber who follows all components or one of the components the incident affects. Recipients are numbered
 * into chunks of 100 here, once, so each chunk's content, and with it its idempotency key, never changes.
 * (The divisor is a literal: a bound JavaScript number is a REAL in SQLite, which would make the division fractional.)
 * The chat channels that follow the incident get their posts in the same write (chat-outbox.ts).
 * A caller that records the notification elsewhere in the same write (a maintenance reminder) gives its id.
 */
export function enqueueStatements(
  db: Db,
  incidentId: string,
  updateId: string,
  at: number,
  options: {
    /** A fixed id makes "told once" the database's rule: a second write queuing the same notification fails whole. */
    notificationId?: string;
    /** The notification is a maintenance's reminder (maintenance-reminders.ts), not the update itself. */
    reminder?: boolean;
  } = {},
): Statement[] {
  const notificationId = options.notificationId ?? newId();
  return [
    db.insert(notifications).values({ id: notificationId, incidentId, updateId, createdAt: at }),
    db.insert(deliveries).select(
      sql`select ${notificationId}, s.id, s.email,
            (row_number() over (order by s.id) - 1) / ${sql.raw(String(chunkSize))}, 'pending', 0, null, null, ${at}, null
          from ${subscribers} s
          where s.status = 'active' and (s.all_components = 1 or exists (
            select 1 from ${subscriberComponents} sc
            join ${incidentComponents} ic on ic.component_id = sc.component_id
            where sc.subscriber_id = s.id and ic.incident_id = ${incidentId}))`,
    ),
    ...chatPostStatements(db, incidentId, updateId, at, options.reminder ? { notificationId } : undefined),
  ];
}

/** A random 12-character id made by SQLite itself, for rows created by INSERT … SELECT. */
const sqlId = sql`lower(hex(randomblob(6)))`;

/** Statements that queue an incident's change for every webhook endpoint. */
export function incidentWebhookStatements(db: Db, incidentId: string, at: number): Statement[] {
  return [
    db.insert(webhookDeliveries).select(
      sql`select ${sqlId}, e.id, 'incident', ${incidentId}, null, null, 'pending', 0, ${at}, null, ${at}
          from ${webhookEndpoints} e`,
    ),
  ];
}

/**
 * Statements that queue a component's status change for every webhook endpoint, reading the old status in the
 * statement itself; they must run before the statement that changes it.
 */
export function componentWebhookStatements(
  db: Db,
  componentId: string,
  status: ComponentStatus,
  at: number,
): Statement[] {
  return [
    db.insert(webhookDeliveries).select(
      sql`select ${sqlId}, e.id, 'component', c.id, c.status, ${status}, 'pending', 0, ${at}, null, ${at}
          from ${webhookEndpoints} e, ${components} c where c.id = ${componentId} and c.status <> ${status}`,
    ),
  ];
}
