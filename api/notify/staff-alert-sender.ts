import { and, asc, eq, lte } from "drizzle-orm";
import { runAtomically } from "@/db/client";
import {
  type StaffAlert,
  type StaffAlertDelivery,
  type StaffDestination,
  type StaffDestinationKind,
  staffAlertDeliveries,
  staffAlerts,
  staffDestinations,
} from "@/db/schema";
import { describeOutboundError, originForLog, outboundOf } from "@/api/outbound/outbound";
import type { Deps } from "@/api/services/deps";
import { loadPage } from "@/api/services/read-model";
import { failPendingStatements } from "@/api/services/staff-alerts";
import { escapeText } from "@/present/escape";
import type { PageInfo } from "@/present/views";
import { defaultFrom } from "./from";
import { stripLineBreaks } from "./headers";
import type { MailTransport } from "./transport";
import { createWakeLoop } from "./wake-loop";
import { signWebhook } from "./webhook-sender";

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

type Due = { delivery: StaffAlertDelivery; alert: StaffAlert; destination: StaffDestination };

/**
 * What one attempt came to. `disable`: the destination refuses for good (a webhook that answers 410 Gone; later a
 * deleted chat channel), so it is disabled with the error as its reason instead of being tried ten times per alert.
 */
export type Attempt =
  { ok: true } | { ok: false; error: string; retryable: boolean; retryAfterMs?: number; disable?: boolean };

/** One sender per destination kind: a chat platform adds its own here, with its message shape and errors. */
type Channel = (due: Due, page: PageInfo) => Promise<Attempt>;

/** The JSON a staff webhook receives, signed like subscriber webhooks (X-Marquee-Signature). */
export function staffAlertPayload(alert: StaffAlert, page: PageInfo) {
  return {
    type: "staff_alert",
    kind: alert.kind,
    subject: alert.subject,
    text: alert.text,
    link: alert.link,
    created_at: new Date(alert.createdAt).toISOString(),
    page: { name: page.name, url: page.url },
  };
}

/** The plain text of a staff alert email; the HTML part is the same text, escaped. */
export function staffAlertText(alert: StaffAlert): string {
  return [
    alert.text,
    ...(alert.link ? ["", alert.link] : []),
    "",
    "-- ",
    "A staff alert from Marquee. It goes to staff destinations (GET /api/v1/staff-destinations), never to subscribers.",
  ].join("\n");
}

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
  const outbound = outboundOf(options);

  const email: Channel = async ({ delivery, alert, destination }, page) => {
    const text = staffAlertText(alert);
    const mail = {
      from: options.emailFrom ?? defaultFrom(page),
      to: destination.target,
      subject: stripLineBreaks(alert.subject),
      text,
      html: `<pre>${escapeText(text)}</pre>`,
      headers: {},
    };
    // The delivery's id as the key: a send retried after a crash is not delivered twice by Resend.
    const result = await transport
      .sendChunk([mail], `marquee/staff/${delivery.id}`)
      .catch((error: unknown) => ({ ok: false as const, retryable: true, error: String(error) }));
    return result.ok ? { ok: true } : result;
  };

  const webhook: Channel = async ({ delivery, alert, destination }, page) => {
    const body = JSON.stringify(staffAlertPayload(alert, page));
    try {
      // The URL is checked again here: its name may resolve elsewhere now than at registration (DNS rebinding).
      const res = await outbound.fetch(destination.target, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "Marquee staff alerts",
          "x-marquee-delivery": delivery.id,
          "x-marquee-signature": await signWebhook(destination.secret ?? "", body, Math.floor(clock() / 1000)),
        },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      await res.body?.cancel();
      if (res.status >= 200 && res.status < 300) return { ok: true };
      if (res.status === 410) return { ok: false, error: "answered 410 Gone", retryable: false, disable: true };
      const redirect = res.status >= 300 && res.status < 400 ? " (redirects are not followed)" : "";
      return { ok: false, error: `answered ${res.status}${redirect}`, retryable: true };
    } catch (error) {
      return { ok: false, error: describeOutboundError(error), retryable: true };
    }
  };

  const channels: Record<StaffDestinationKind, Channel> = { email, webhook };

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

  async function attempt(due: Due, page: PageInfo): Promise<Attempt> {
    const { destination } = due;
    if (destination.disabledAt !== null) {
      return { ok: false, error: `destination disabled: ${destination.disabledReason}`, retryable: false };
    }
    const channel = channels[destination.kind] as Channel | undefined;
    if (!channel)
      return { ok: false, error: `no sender for destinations of kind ${destination.kind}`, retryable: false };
    return channel(due, page);
  }

  async function deliver(due: Due, page: PageInfo) {
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
    const to = `${destination.kind} destination ${destination.id}${destination.kind === "webhook" ? ` (${originForLog(destination.target)})` : ""}`;
    log(
      `staff alert ${due.alert.key} to ${to} ${result.disable ? "failed, destination disabled" : giveUp ? "failed for good" : "failed, will retry"}: ${result.error}`,
    );
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
