import { eq } from "drizzle-orm";
import { notifications } from "@/db/schema";
import type { Deps } from "@/api/services/deps";
import { loadIncident, loadPage } from "@/api/services/read-model";
import { linkKey, subscriberToken } from "@/api/services/subscriber-links";
import type { IncidentView, PageInfo } from "@/api/publish/views";
import { createConfirmationSender } from "./confirmation-sender";
import { defaultFrom } from "./from";
import { createSender, type Composer } from "./sender";
import { createWebhookSender } from "./webhook-sender";
import { incidentEmail } from "./templates";
import type { MailTransport } from "./transport";

export type Notifier = {
  /** Starts draining the outboxes (notifications, confirmations, webhooks) if they are not draining already. */
  wake(): void;
  idle(): Promise<void>;
  stop(): Promise<void>;
};

export type NotifierOptions = Deps & {
  transport: MailTransport & { maxChunkSize?: number };
  emailFrom?: string;
  siteUrl?: string;
  log?: (message: string) => void;
  maxAttempts?: number;
  backoffMs?: number;
  webhookBackoffMs?: number;
  /** See SenderOptions: for runtimes where several senders run at once, and invocations with a time limit. */
  leaseMs?: number;
  deadline?: number;
  maxChunks?: number;
};

export function createNotifier(options: NotifierOptions): Notifier {
  const { db, transport } = options;
  const log = options.log ?? (() => {});
  let cached: { notificationId: string; incident: IncidentView; updateId: string } | null = null;

  const compose: Composer = async ({ notificationId, recipients }) => {
    const page = await loadPage(db, options.siteUrl);
    if (cached?.notificationId !== notificationId) {
      const [n] = await db.select().from(notifications).where(eq(notifications.id, notificationId));
      cached = { notificationId, incident: await loadIncident(db, n!.incidentId), updateId: n!.updateId };
    }
    const { incident, updateId } = cached;
    const update = incident.updates.find((u) => u.id === updateId)!;
    const key = await linkKey(db);
    const from = options.emailFrom ?? defaultFrom(page);
    return Promise.all(
      recipients.map(async (r) => {
        const token = await subscriberToken(key, r.subscriberId);
        return incidentEmail({
          page,
          incident,
          update,
          unsubscribeUrl: `${page.url}/unsubscribe/${token}`,
          manageUrl: `${page.url}/manage/${token}`,
          from,
          to: r.email,
          isFirst: incident.updates.at(-1)?.id === update.id,
        });
      }),
    );
  };

  const sender = createSender({ ...options, compose, log });
  const confirmations = createConfirmationSender({ ...options, log });
  const webhooks = createWebhookSender({ ...options, log, backoffMs: options.webhookBackoffMs });

  return {
    wake() {
      sender.wake();
      confirmations.wake();
      webhooks.wake();
    },
    async idle() {
      await Promise.all([sender.idle(), confirmations.idle(), webhooks.idle()]);
    },
    stop: async () => {
      await sender.stop();
      await confirmations.idle();
      await webhooks.idle();
      await transport.close?.();
    },
  };
}
