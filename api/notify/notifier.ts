import type { Subscriber } from "@/db/schema";
import type { Deps } from "@/api/services/deps";
import { loadPage } from "@/api/services/read-model";
import { confirmationLifetime } from "@/api/services/subscribers";
import { createIncidentComposer, defaultFrom } from "./incident-composer";
import { createSender } from "./sender";
import { createWebhookSender } from "./webhook-sender";
import { confirmationEmail } from "./templates";
import type { MailTransport } from "./transport";

export type Notifier = {
  /** Starts draining the outbox if it is not draining already. */
  wake(): void;
  /** Sends a confirmation link now, outside the request; failures are logged and the subscriber can ask again. */
  sendConfirmation(subscriber: Subscriber, token: string): void;
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
  const compose = createIncidentComposer(options);
  const sender = createSender({ ...options, compose, log });
  // Confirmations in flight, so a runtime that must keep the invocation alive (Workers) can wait for them.
  const confirmations = new Set<Promise<void>>();
  const webhooks = createWebhookSender({ ...options, log, backoffMs: options.webhookBackoffMs });

  return {
    wake() {
      sender.wake();
      webhooks.wake();
    },
    async idle() {
      await Promise.all([sender.idle(), webhooks.idle(), ...confirmations]);
    },
    stop: async () => {
      await sender.stop();
      await webhooks.idle();
      await transport.close?.();
    },
    sendConfirmation(subscriber, token) {
      const sending = (async () => {
        const page = await loadPage(db, options.siteUrl);
        const email = confirmationEmail({
          page,
          confirmUrl: `${page.url}/subscribe/confirm/${token}`,
          from: options.emailFrom ?? defaultFrom(page),
          to: subscriber.email,
          expiresInHours: confirmationLifetime / 3600e3,
        });
        const result = await transport.sendChunk([email], `marquee/confirm/${subscriber.id}/${token.slice(0, 16)}`);
        if (!result.ok) log(`confirmation email to subscriber ${subscriber.id} failed: ${result.error}`);
      })().catch((error) => log(`confirmation email failed: ${error?.stack ?? error}`));
      confirmations.add(sending);
      void sending.finally(() => confirmations.delete(sending));
    },
  };
}
