import { and, asc, eq, exists, isNull, lte, or, sql, type SQLWrapper } from "drizzle-orm";
import type { Db } from "@/db/client";
import { deliveries, notifications } from "@/db/schema";
import { chunkSize } from "@/api/services/outbox";

export type ChunkRef = { notificationId: string; chunk: number };

export const chunkName = ({ notificationId, chunk }: ChunkRef) => `${notificationId}/${chunk}`;

/** Outbox rows not held by a sender's lease (see SenderOptions.leaseMs). */
export const unleased = (now: number) => or(isNull(deliveries.leaseUntil), lte(deliveries.leaseUntil, now));

const pending = (notificationId: string | SQLWrapper) =>
  and(eq(deliveries.status, "pending"), eq(deliveries.notificationId, notificationId));

/**
 * Up to `limit` chunks waiting to be sent, oldest notification first, leaving out those named in `skip` (a sender's
 * own chunks in flight) and, when `leasedAt` is given, those another sender holds a lease on at that time. Each
 * query reads the outbox index (status, notification, chunk) from its front, so the cost does not grow with the
 * size of the fan-out.
 */
export async function nextChunks(
  db: Db,
  options: { skip: ReadonlySet<string>; limit: number; leasedAt?: number },
): Promise<ChunkRef[]> {
  const waiting = await db
    .select({ id: notifications.id })
    .from(notifications)
    .where(
      exists(
        db
          .select({ one: sql`1` })
          .from(deliveries)
          .where(pending(notifications.id)),
      ),
    )
    .orderBy(asc(notifications.createdAt), asc(notifications.id))
    .limit(20);
  for (const { id } of waiting) {
    const chunks = await db
      .selectDistinct({ chunk: deliveries.chunk })
      .from(deliveries)
      .where(and(pending(id), options.leasedAt === undefined ? undefined : unleased(options.leasedAt)))
      .orderBy(asc(deliveries.chunk))
      .limit(options.limit + options.skip.size);
    const next = chunks
      .map(({ chunk }) => ({ notificationId: id, chunk }))
      .filter((c) => !options.skip.has(chunkName(c)));
    if (next.length > 0) return next.slice(0, options.limit);
  }
  return [];
}

/**
 * A chunk's recipients in subscriber order, in one query. A chunk sent in one request (`partSize` 100) is pending or
 * settled as a whole, so only its pending rows are read, through the outbox index (sorted here: an ORDER BY would
 * make SQLite walk the notification's whole primary key instead). A transport that takes smaller parts numbers them
 * by their position in the whole chunk, so it reads every row.
 */
export async function recipientsOf(db: Db, { notificationId, chunk }: ChunkRef, partSize: number) {
  const ofChunk = and(eq(deliveries.notificationId, notificationId), eq(deliveries.chunk, chunk));
  if (partSize < chunkSize) return db.select().from(deliveries).where(ofChunk).orderBy(asc(deliveries.subscriberId));
  const rows = await statementsOf(db).pendingOfChunk.all({ notificationId, chunk });
  return rows.sort((a, b) => (a.subscriberId < b.subscriberId ? -1 : a.subscriberId > b.subscriberId ? 1 : 0));
}

/**
 * The statements a fan-out runs for every chunk, prepared once per database: preparing them again for each of
 * 1,000 chunks was a noticeable share of the sender's work.
 */
export function statementsOf(db: Db) {
  let statements = prepared.get(db);
  if (!statements) {
    statements = prepareStatements(db);
    prepared.set(db, statements);
  }
  return statements;
}

const prepared = new WeakMap<Db, ReturnType<typeof prepareStatements>>();

function prepareStatements(db: Db) {
  const ofChunk = and(
    eq(deliveries.notificationId, sql.placeholder("notificationId")),
    eq(deliveries.chunk, sql.placeholder("chunk")),
  );
  // The recipients as one JSON parameter: D1 binds at most 100 parameters per statement, a chunk has 100.
  const recipients = and(
    eq(deliveries.notificationId, sql.placeholder("notificationId")),
    sql`${deliveries.subscriberId} IN (SELECT value FROM json_each(${sql.placeholder("subscriberIds")}))`,
  );
  return {
    pendingOfChunk: db
      .select()
      .from(deliveries)
      .where(and(eq(deliveries.status, "pending"), ofChunk))
      .prepare(),
    /** Each recipient's provider id is looked up in a JSON object of subscriber id → provider id. */
    markSent: db
      .update(deliveries)
      .set({
        status: "sent",
        providerId: sql`json_extract(${sql.placeholder("providerIds")}, '$."' || ${deliveries.subscriberId} || '"')`,
        attempts: sql`${sql.placeholder("attempts")}`,
        error: null,
        updatedAt: sql`${sql.placeholder("now")}`,
        leaseUntil: null,
      })
      .where(recipients)
      .prepare(),
  };
}
