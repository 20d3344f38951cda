import { type ChatSenderOptions, createChatSender } from "./chat-sender";
import { type ConfirmationSenderOptions, createConfirmationSender } from "./confirmation-sender";
import { createIncidentComposer } from "./incident-composer";
import { createSender, type SenderOptions } from "./sender";
import { createStaffAlertSender } from "./staff-alert-sender";
import { createWebhookSender, type WebhookSenderOptions } from "./webhook-sender";

export type Notifier = {
  /** Starts draining the outboxes (notifications, confirmations, webhooks, staff alerts, chat posts) if they are not draining already. */
  wake(): void;
  idle(): Promise<void>;
  stop(): Promise<void>;
};

export type NotifierOptions = ConfirmationSenderOptions & {
  webhookBackoffMs?: number;
  /** The first retry's wait for staff alerts (default: webhookBackoffMs, else 30 s). */
  staffAlertBackoffMs?: number;
  /** See SenderOptions: at most this many chunks per Workers invocation. */
  maxChunks?: number;
  onWebhookAttempt?: WebhookSenderOptions["onWebhookAttempt"];
  /** The chat sender's options (chat-sender.ts); its deadline is the notifier's. */
  chat?: Pick<
    ChatSenderOptions,
    "pacing" | "concurrency" | "timeoutMs" | "leaseMs" | "maxPosts" | "resumeAtStart" | "wakeWhenDue"
  >;
  /** See SenderOptions: incident emails go once the pages they link to are published. */
  pagesPublished?: SenderOptions["pagesPublished"];
};

export function createNotifier(options: NotifierOptions): Notifier {
  const { db, transport } = options;
  const log = options.log ?? (() => {});
  const compose = createIncidentComposer(options);
  const sender = createSender({ ...options, compose, log });
  const confirmations = createConfirmationSender({ ...options, log });
  const webhooks = createWebhookSender({ ...options, log, backoffMs: options.webhookBackoffMs });
  const staffAlerts = createStaffAlertSender({
    ...options,
    log,
    backoffMs: options.staffAlertBackoffMs ?? options.webhookBackoffMs,
  });
  const chat = createChatSender({ ...options, ...options.chat, log, onStaffAlert: () => staffAlerts.wake() });

  return {
    wake() {
      sender.wake();
      confirmations.wake();
      webhooks.wake();
      staffAlerts.wake();
      chat.wake();
    },
    async idle() {
      await Promise.all([sender.idle(), confirmations.idle(), webhooks.idle(), staffAlerts.idle(), chat.idle()]);
    },
    stop: async () => {
      await sender.stop();
      await confirmations.idle();
      await webhooks.idle();
      await staffAlerts.idle();
      chat.stop();
      await chat.idle();
      await transport.close?.();
    },
  };
}
