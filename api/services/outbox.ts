import { asc, isNotNull, sql } from "drizzle-orm";
import { type Db, runAtomically, type Statement } from "@/db/client";
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
 * Recipients queued per write. Queuing 100,000 at once held the server's one thread for half a second, readers of
 * the page included, at the moment an outage is posted; a slice of 1,000 takes a few milliseconds. A multiple of the
 * chunk size, so that a chunk never spans two slices and is whole once queued.
 */
export const recipientSlice = 1_000;

/**
 * Statements that record a notification for an update and queue its first slice of recipients in the same write;
 * `queueMoreRecipients` queues the rest, a slice per write, right after. Recipients are every active subscriber who
 * follows all components or one of the components the incident affects, in subscriber order, numbered into chunks of
 * 100 as they are queued, once, so each chunk's content, and with it its idempotency key, never changes.
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
  const nothingQueued = { recipientsAfter: "", recipientsQueued: 0 };
  return [
    db.insert(notifications).values({ id: notificationId, incidentId, updateId, createdAt: at, ...nothingQueued }),
    ...recipientSliceStatements(db, { id: notificationId, incidentId, ...nothingQueued }, at),
    ...chatPostStatements(db, incidentId, updateId, at, options.reminder ? { notificationId } : undefined),
  ];
}

/** Notifications whose recipients are still being queued. */
export const queuingRecipients = isNotNull(notifications.recipientsAfter);

type Filling = { id: string; incidentId: string; recipientsAfter: string; recipientsQueued: number };

/**
 * The next slice of a notification's recipients, after `recipientsAfter`, and the notification's progress. Both
 * statements only act while the notification still stands where the caller read it, so two senders racing to queue
 * the same slice (Workers) queue it once. Subscribers are read along their primary key from `recipientsAfter`
 * (`+s.status` keeps SQLite off the status index, which would read and sort every active subscriber for each
 * slice). The first chunk's number is cast: a bound JavaScript number can be a REAL in SQLite, which would make the
 * division fractional.
 */
export function recipientSliceStatements(db: Db, n: Filling, at: number): Statement[] {
  const stillAt = sql`exists (select 1 from ${notifications} n
    where n.id = ${n.id} and n.recipients_after = ${n.recipientsAfter} and n.recipients_queued = ${n.recipientsQueued})`;
  const queuedNow = sql`from ${deliveries} d where d.notification_id = ${n.id} and d.subscriber_id > ${n.recipientsAfter}`;
  return [
    db.insert(deliveries).select(
      sql`select ${n.id}, t.id, t.email,
            cast(${n.recipientsQueued / chunkSize} as integer) + (row_number() over (order by t.id) - 1) / ${sql.raw(String(chunkSize))},
            'pending', 0, null, null, ${at}, null
          from (select s.id, s.email from ${subscribers} s
            where s.id > ${n.recipientsAfter} and +s.status = 'active' and (s.all_components = 1 or exists (
              select 1 from ${subscriberComponents} sc
              join ${incidentComponents} ic on ic.component_id = sc.component_id
              where sc.subscriber_id = s.id and ic.incident_id = ${n.incidentId}))
            order by s.id limit ${sql.raw(String(recipientSlice))}) t
          where ${stillAt}`,
    ),
    db
      .update(notifications)
      .set({
        recipientsQueued: sql`${notifications.recipientsQueued} + (select count(*) ${queuedNow})`,
        recipientsAfter: sql`(select case when count(*) < ${sql.raw(String(recipientSlice))} then null
          else max(d.subscriber_id) end ${queuedNow})`,
      })
      .where(sql`${notifications.id} = ${n.id} and ${stillAt}`),
  ];
}

/**
 * Queues the next slice of recipients of the oldest notification still being queued, in one write. Returns false when
 * every notification's recipients are queued. Senders call it before looking for chunks to send.
 */
export async function queueMoreRecipients(db: Db, now: number): Promise<boolean> {
  const [filling] = await db
    .select({
      id: notifications.id,
      incidentId: notifications.incidentId,
      recipientsAfter: notifications.recipientsAfter,
      recipientsQueued: notifications.recipientsQueued,
    })
    .from(notifications)
    .where(queuingRecipients)
    .orderBy(asc(notifications.createdAt))
    .limit(1);
  if (!filling) return false;
  await runAtomically(db, recipientSliceStatements(db, { ...filling, recipientsAfter: filling.recipientsAfter! }, now));
  return true;
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
