import { and, asc, eq, lte } from "drizzle-orm";
import { runAtomically } from "@/db/client";
import { staffAlertDeliveries, staffAlerts, staffDestinations } from "@/db/schema";
import { originForLog, outboundOf } from "@/api/outbound/outbound";
import type { Deps } from "@/api/services/deps";
import { loadPage } from "@/api/services/read-model";
import { failPendingStatements } from "@/api/services/staff-alerts";
import type { PageInfo } from "@/present/views";
import { type Attempt, type Channel, type StaffDelivery, staffAlertChannels } from "./staff-alert-channels";
import type { MailTransport } from "./transport";
import { createWakeLoop } from "./wake-loop";

export const staffAlertMaxAttempts = 10;

export type StaffAlertSenderOptions = Deps & {
  transport: MailTransport;
  emailFrom?: string;
  log?: (message: string) => void;
  /** The first retry's wait; each next one doubles, up to an hour. */
  backoffMs?: number;
  timeoutMs?: number;
  /** Stop taking deliveries after this time (UTC ms): an invocation's limits; the next run resumes. */
  deadline?: number;
};

/**
 * Drains the staff alert outbox: each delivery is claimed, then sent to its destination by the channel of its kind,
 * marked sent only once the destination took it, and otherwise retried with growing waits; after ten tries it is
 * marked failed with its last error, where staff see it (GET /api/v1/staff-alerts).
 */
export function createStaffAlertSender(options: StaffAlertSenderOptions) {
  const { db, clock, transport } = options;
  const log = options.log ?? (() => {});
  const backoffMs = options.backoffMs ?? 30_000;
  const timeoutMs = options.timeoutMs ?? 30_000;

  const channels = staffAlertChannels({
    transport,
    emailFrom: options.emailFrom,
    outbound: outboundOf(options),
    clock,
    timeoutMs,
  });

  /** Takes a due delivery for this sender alone: on Workers, two invocations may drain at once. */
  async function claim(id: string): Promise<boolean> {
    const now = clock();
    const claimed = await db
      .update(staffAlertDeliveries)
      .set({ nextAttemptAt: now + timeoutMs + 30_000 })
      .where(
        and(
          eq(staffAlertDeliveries.id, id),
          eq(staffAlertDeliveries.status, "pending"),
          lte(staffAlertDeliveries.nextAttemptAt, now),
        ),
      )
      .returning({ id: staffAlertDeliveries.id });
    return claimed.length > 0;
  }

  async function attempt(due: StaffDelivery, page: PageInfo): Promise<Attempt> {
    const { destination } = due;
    if (destination.disabledAt !== null) {
      return { ok: false, error: `destination disabled: ${destination.disabledReason}`, retryable: false };
    }
    const channel = channels[destination.kind] as Channel | undefined;
    if (!channel)
      return { ok: false, error: `no sender for destinations of kind ${destination.kind}`, retryable: false };
    return channel(due, page);
  }

  async function deliver(due: StaffDelivery, page: PageInfo) {
    const { delivery, destination } = due;
    const tries = delivery.attempts + 1;
    const result = await attempt(due, page);
    const now = clock();
    const where = eq(staffAlertDeliveries.id, delivery.id);
    if (result.ok) {
      await db
        .update(staffAlertDeliveries)
        .set({ status: "sent", attempts: tries, lastError: null, sentAt: now })
        .where(where);
      return;
    }
    const giveUp = !result.retryable || tries >= staffAlertMaxAttempts;
    const wait = result.retryAfterMs ?? Math.min(3600e3, backoffMs * 2 ** (tries - 1));
    const update = db
      .update(staffAlertDeliveries)
      .set({
        status: giveUp ? "failed" : "pending",
        attempts: tries,
        lastError: result.error,
        nextAttemptAt: now + wait,
      })
      .where(where);
    if (result.disable) {
      await runAtomically(db, [
        update,
        db
          .update(staffDestinations)
          .set({ disabledAt: now, disabledReason: result.error })
          .where(eq(staffDestinations.id, destination.id)),
        ...failPendingStatements(db, destination.id, result.error, now),
      ]);
    } else await update;
    // Never the target: a webhook URL's path is often its secret.
    const webhook = destination.kind !== "email" ? ` (${originForLog(destination.target)})` : "";
    const outcome = result.disable ? "failed, destination disabled" : giveUp ? "failed for good" : "failed, will retry";
    log(`staff alert ${due.alert.key} to ${destination.kind} ${destination.id}${webhook} ${outcome}: ${result.error}`);
  }

  async function drain() {
    let page: PageInfo | undefined;
    for (;;) {
      const due = await db
        .select({ delivery: staffAlertDeliveries, alert: staffAlerts, destination: staffDestinations })
        .from(staffAlertDeliveries)
        .innerJoin(staffAlerts, eq(staffAlerts.id, staffAlertDeliveries.alertId))
        .innerJoin(staffDestinations, eq(staffDestinations.id, staffAlertDeliveries.destinationId))
        .where(and(eq(staffAlertDeliveries.status, "pending"), lte(staffAlertDeliveries.nextAttemptAt, clock())))
        .orderBy(asc(staffAlertDeliveries.nextAttemptAt))
        .limit(50);
      if (due.length === 0) return;
      page ??= await loadPage(db, options.siteUrl);
      for (const row of due) {
        if (options.deadline !== undefined && clock() >= options.deadline) return;
        if (await claim(row.delivery.id)) await deliver(row, page);
      }
    }
  }

  return createWakeLoop("staff alert sender", drain, log);
}
