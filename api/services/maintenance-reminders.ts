import { and, desc, eq, gt, inArray, isNull, lte } from "drizzle-orm";
import { type Db, runAtomically, type Statement } from "@/db/client";
import {
  incidents,
  incidentUpdates,
  maintenanceReminders,
  maintenanceRemindersDone,
  type ReminderInterval,
  reminderIntervals,
} from "@/db/schema";
import { newId } from "@/api/ids";
import type { Deps } from "./deps";
import { type Written, written } from "./effects";
import { enqueueStatements } from "./outbox";
import { inSlices } from "./read-model";

const hour = 3_600_000;
export const reminderMs: Record<ReminderInterval, number> = { "72h": 72 * hour, "24h": 24 * hour, "1h": hour };
export const defaultReminders: ReminderInterval[] = ["1h"];

/**
 * Which reminder is in its window `now`: the shortest interval whose moment (start − interval) has passed, while the
 * maintenance has not started. So a reminder is sent from its moment until the next shorter one's (72 h before until
 * 24 h before, 24 h until 1 h, 1 h until the start); one whose window has passed (the server was down, or the
 * maintenance was scheduled 30 minutes ahead) is skipped, never sent late, and at most one is sent per tick.
 */
export function reminderInWindow(start: number, now: number): ReminderInterval | null {
  if (now >= start) return null;
  return [...reminderIntervals].reverse().find((i) => start - reminderMs[i] <= now) ?? null;
}

/** The chosen intervals, replacing those chosen before; reminders already sent stay sent. */
export function chooseRemindersStatements(db: Db, maintenanceId: string, intervals: readonly ReminderInterval[]) {
  return [
    db.delete(maintenanceReminders).where(eq(maintenanceReminders.maintenanceId, maintenanceId)),
    ...[...new Set(intervals)].map((interval) => db.insert(maintenanceReminders).values({ maintenanceId, interval })),
  ];
}

/** A rescheduled maintenance: reminders skipped for the old time are armed again for the new one. */
export function rearmRemindersStatements(db: Db, maintenanceId: string): Statement[] {
  return [
    db
      .delete(maintenanceRemindersDone)
      .where(
        and(eq(maintenanceRemindersDone.maintenanceId, maintenanceId), eq(maintenanceRemindersDone.skipped, true)),
      ),
  ];
}

/** The intervals chosen for each maintenance, shortest last, as the API shows them. */
export async function loadReminders(db: Db, ids: readonly string[]): Promise<Map<string, ReminderInterval[]>> {
  const out = new Map<string, ReminderInterval[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return out;
  const rows = await inSlices(ids, (slice) =>
    db.select().from(maintenanceReminders).where(inArray(maintenanceReminders.maintenanceId, slice)),
  );
  for (const r of rows) out.get(r.maintenanceId)?.push(r.interval);
  for (const list of out.values()) list.sort((a, b) => reminderMs[b] - reminderMs[a]);
  return out;
}

/** The interval a notification reminds of, or null for an ordinary update's notification. */
export async function reminderOfNotification(db: Db, notificationId: string): Promise<ReminderInterval | null> {
  const [row] = await db
    .select({ interval: maintenanceRemindersDone.interval })
    .from(maintenanceRemindersDone)
    .where(eq(maintenanceRemindersDone.notificationId, notificationId));
  return row?.interval ?? null;
}

/** Another runner (a second process, an overlapping cron invocation) recorded the same reminder first. */
const isDuplicate = (error: unknown): boolean => {
  for (let e: unknown = error; e; e = (e as { cause?: unknown }).cause) {
    if (/UNIQUE constraint failed: maintenance_reminders_done\./.test(String(e))) return true;
  }
  return false;
};

/**
 * Queues the reminders that are due (see `reminderInWindow`) for scheduled maintenances, each exactly once: the row
 * that records it is written in the same write as its notification, and its primary key makes a racing runner's write
 * fail as a whole. A reminder adds no update to the maintenance (Statuspage records only `scheduled_reminded_at`);
 * the notification points at the maintenance's latest update and is told apart by its row here. Gives how many it
 * queued. Runs on every tick.
 */
export async function sendDueReminders(deps: Deps): Promise<Written<number>> {
  const { db } = deps;
  const now = deps.clock();
  const due = await db
    .select({ id: incidents.id, start: incidents.scheduledFor, interval: maintenanceReminders.interval })
    .from(maintenanceReminders)
    .innerJoin(incidents, eq(incidents.id, maintenanceReminders.maintenanceId))
    .leftJoin(
      maintenanceRemindersDone,
      and(
        eq(maintenanceRemindersDone.maintenanceId, maintenanceReminders.maintenanceId),
        eq(maintenanceRemindersDone.interval, maintenanceReminders.interval),
      ),
    )
    .where(
      and(
        eq(incidents.status, "scheduled"),
        isNull(maintenanceRemindersDone.maintenanceId),
        gt(incidents.scheduledFor, now),
        lte(incidents.scheduledFor, now + reminderMs["72h"]),
      ),
    );
  const byMaintenance = new Map<string, { start: number; intervals: ReminderInterval[] }>();
  for (const row of due) {
    const entry = byMaintenance.get(row.id) ?? { start: row.start!, intervals: [] };
    entry.intervals.push(row.interval);
    byMaintenance.set(row.id, entry);
  }
  let sent = 0;
  for (const [maintenanceId, { start, intervals }] of byMaintenance) {
    const current = reminderInWindow(start, now);
    if (current === null) continue;
    const statements: Statement[] = [];
    for (const interval of intervals) {
      if (interval === current) {
        const notificationId = newId();
        const [latest] = await db
          .select({ id: incidentUpdates.id })
          .from(incidentUpdates)
          .where(eq(incidentUpdates.incidentId, maintenanceId))
          .orderBy(desc(incidentUpdates.displayAt), desc(incidentUpdates.createdAt))
          .limit(1);
        if (!latest) continue;
        statements.push(
          db
            .insert(maintenanceRemindersDone)
            .values({ maintenanceId, interval, notificationId, skipped: false, at: now }),
          ...enqueueStatements(db, maintenanceId, latest.id, now, { notificationId, reminder: true }),
        );
      } else if (reminderMs[interval] > reminderMs[current]) {
        statements.push(
          db
            .insert(maintenanceRemindersDone)
            .values({ maintenanceId, interval, notificationId: null, skipped: true, at: now }),
        );
      }
    }
    try {
      await runAtomically(db, statements);
      if (statements.length > 0 && intervals.includes(current)) sent++;
    } catch (error) {
      if (!isDuplicate(error)) throw error;
    }
  }
  return written(sent, sent > 0 ? { wake: true } : {});
}
