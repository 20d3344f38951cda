import { and, asc, eq, lte } from "drizzle-orm";
import { components, webhookDeliveries, webhookEndpoints } from "@/db/schema";
import { hmacSha256Hex } from "@/api/ids";
import { describeOutboundError, originForLog, outboundOf } from "@/api/outbound/outbound";
import type { Deps } from "@/api/services/deps";
import { deriveOverallStatus } from "@/api/services/overall-status";
import { loadIncident, loadPage } from "@/api/services/read-model";
import { componentPayload, incidentPayload } from "./webhook-payloads";
import { createWakeLoop } from "./wake-loop";

export const webhookMaxAttempts = 10;

export type WebhookSenderOptions = Deps & {
  siteUrl?: string;
  log?: (message: string) => void;
  backoffMs?: number;
  timeoutMs?: number;
  /** Stop taking deliveries after this time (UTC ms); the next run resumes. */
  deadline?: number;
};

/** `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`, the scheme receivers check (docs/email.md). */
export async function signWebhook(secret: string, body: string, unixSeconds: number): Promise<string> {
  return `t=${unixSeconds},v1=${await hmacSha256Hex(secret, `${unixSeconds}.${body}`)}`;
}

/**
 * Posts queued webhook deliveries: 2xx within the timeout is success; anything else is retried with growing waits,
 * and after ten tries the delivery is marked failed with its last error, where staff see it.
 */
export function createWebhookSender(options: WebhookSenderOptions) {
  const { db, clock } = options;
  const log = options.log ?? (() => {});
  const backoffMs = options.backoffMs ?? 30_000;
  const outbound = outboundOf(options);

  async function body(delivery: typeof webhookDeliveries.$inferSelect): Promise<string | null> {
    const page = await loadPage(db, options.siteUrl);
    const leaves = await db.select().from(components);
    const overall = deriveOverallStatus(leaves.map((c) => c.status));
    const now = clock();
    if (delivery.kind === "incident") {
      const incident = await loadIncident(db, delivery.subjectId).catch(() => null);
      return incident && JSON.stringify(incidentPayload(page, overall, incident, now));
    }
    const component = leaves.find((c) => c.id === delivery.subjectId);
    if (!component) return null;
    const change = {
      id: delivery.id,
      oldStatus: delivery.oldStatus!,
      newStatus: delivery.newStatus!,
      at: delivery.createdAt,
    };
    return JSON.stringify(componentPayload(page, overall, component, change, now));
  }

  /** Takes a due delivery for this sender alone: on Workers, two invocations may drain at once. */
  async function claim(id: string): Promise<boolean> {
    const now = clock();
    const claimed = await db
      .update(webhookDeliveries)
      .set({ nextAttemptAt: now + (options.timeoutMs ?? 30_000) + 30_000 })
      .where(
        and(
          eq(webhookDeliveries.id, id),
          eq(webhookDeliveries.status, "pending"),
          lte(webhookDeliveries.nextAttemptAt, now),
        ),
      )
      .returning({ id: webhookDeliveries.id });
    return claimed.length > 0;
  }

  async function deliver(delivery: typeof webhookDeliveries.$inferSelect, url: string, secret: string) {
    const attempt = delivery.attempts + 1;
    let error: string | null = null;
    const payload = await body(delivery);
    if (payload === null) error = "the incident or component no longer exists";
    else {
      try {
        // The URL is checked again here: its name may resolve elsewhere now than at registration (DNS rebinding).
        const res = await outbound.fetch(url, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            "user-agent": "Marquee webhooks",
            "x-marquee-delivery": delivery.id,
            "x-marquee-signature": await signWebhook(secret, payload, Math.floor(clock() / 1000)),
          },
          body: payload,
          signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
        });
        if (res.status >= 300 && res.status < 400) error = `answered ${res.status} (redirects are not followed)`;
        else if (res.status < 200 || res.status >= 300) error = `answered ${res.status}`;
        await res.body?.cancel();
      } catch (e) {
        error = describeOutboundError(e);
      }
    }
    const done = error === null;
    const giveUp = !done && (attempt >= webhookMaxAttempts || payload === null);
    await db
      .update(webhookDeliveries)
      .set({
        attempts: attempt,
        lastError: error,
        status: done ? "sent" : giveUp ? "failed" : "pending",
        nextAttemptAt: clock() + Math.min(3600e3, backoffMs * 2 ** (attempt - 1)),
      })
      .where(eq(webhookDeliveries.id, delivery.id));
    // The origin only: a webhook URL's path is often its secret.
    const to = `endpoint ${delivery.endpointId} (${originForLog(url)})`;
    if (!done) log(`webhook ${delivery.id} to ${to} ${giveUp ? "failed for good" : "failed, will retry"}: ${error}`);
  }

  async function drain() {
    for (;;) {
      const due = await db
        .select({ delivery: webhookDeliveries, url: webhookEndpoints.url, secret: webhookEndpoints.secret })
        .from(webhookDeliveries)
        .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
        .where(and(eq(webhookDeliveries.status, "pending"), lte(webhookDeliveries.nextAttemptAt, clock())))
        .orderBy(asc(webhookDeliveries.createdAt))
        .limit(50);
      if (due.length === 0) return;
      for (const { delivery, url, secret } of due) {
        if (options.deadline !== undefined && clock() >= options.deadline) return;
        if (await claim(delivery.id)) await deliver(delivery, url, secret);
      }
    }
  }

  return createWakeLoop("webhook sender", drain, log);
}
