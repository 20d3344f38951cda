import { sql } from "drizzle-orm";
import type { Db, Statement } from "@/db/client";
import { deliveries, incidentComponents, notifications, subscriberComponents, subscribers } from "@/db/schema";
import { newId } from "@/api/ids";

export const chunkSize = 100;

/**
 * Statements that record a notification for an update and fix its recipients in the same write: every active
 * subscriber who follows all components or one of the components the incident affects. Recipients are numbered
 * into chunks of 100 here, once, so each chunk's content, and with it its idempotency key, never changes.
 * (The divisor is a literal: a bound JavaScript number is a REAL in SQLite, which would make the division fractional.)
 */
export function enqueueStatements(db: Db, incidentId: string, updateId: string, at: number): Statement[] {
  const notificationId = newId();
  return [
    db.insert(notifications).values({ id: notificationId, incidentId, updateId, createdAt: at }),
    db.insert(deliveries).select(
      sql`select ${notificationId}, s.id, s.email,
            (row_number() over (order by s.id) - 1) / ${sql.raw(String(chunkSize))}, 'pending', 0, null, null, ${at}
          from ${subscribers} s
          where s.status = 'active' and (s.all_components = 1 or exists (
            select 1 from ${subscriberComponents} sc
            join ${incidentComponents} ic on ic.component_id = sc.component_id
            where sc.subscriber_id = s.id and ic.incident_id = ${incidentId}))`,
    ),
  ];
}
