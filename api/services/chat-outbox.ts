import { sql } from "drizzle-orm";
import type { Db, Statement } from "@/db/client";
import { chatChannelComponents, chatChannels, chatPosts, incidentComponents } from "@/db/schema";

/** A random 12-character id made by SQLite itself, for rows created by INSERT … SELECT. */
const sqlId = sql`lower(hex(randomblob(6)))`;

/**
 * The statement that queues an update for every active chat channel (a customer's or a broadcast one) that follows
 * all components or one the incident affects: one INSERT … SELECT, so a thousand channels cost one statement, in the
 * same write as the update. The unique (channel, update) index makes it a no-op when run twice for one update; a
 * reminder is once by the row that claims it (maintenance-reminders.ts), written in the same write.
 */
export function chatPostStatements(
  db: Db,
  incidentId: string,
  updateId: string,
  at: number,
  /** A maintenance reminder's notification: the post is that reminder, not the update again. */
  reminder?: { notificationId: string },
): Statement[] {
  const [kind, update, notification] = reminder
    ? ["reminder", null, reminder.notificationId]
    : ["update", updateId, null];
  return [
    db
      .insert(chatPosts)
      .select(
        sql`select ${sqlId}, c.id, ${kind}, ${incidentId}, ${update}, ${notification}, 'pending', 0, ${at}, null, null,
              null, ${at}
            from ${chatChannels} c
            where c.status = 'active' and (c.all_components = 1 or exists (
              select 1 from ${chatChannelComponents} cc
              join ${incidentComponents} ic on ic.component_id = cc.component_id
              where cc.channel_id = c.id and ic.incident_id = ${incidentId}))`,
      )
      .onConflictDoNothing(),
  ];
}
