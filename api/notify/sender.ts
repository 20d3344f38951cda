import { and, asc, eq, inArray } from "drizzle-orm";
import { runAtomically } from "@/db/client";
import { type Delivery, deliveries, notifications } from "@/db/schema";
import type { Deps } from "@/api/services/deps";
import type { ChunkResult, MailTransport, OutgoingEmail } from "./transport";
import { createWakeLoop } from "./wake-loop";

/** Builds the emails of one chunk, in the order of its recipients. */
export type Composer = (chunk: { notificationId: string; recipients: Delivery[] }) => Promise<OutgoingEmail[]>;

export type SenderOptions = Deps & {
  transport: MailTransport & { maxChunkSize?: number };
  compose: Composer;
  log?: (message: string) => void;
  /** Tries per chunk before its recipients are marked failed. */
  maxAttempts?: number;
  backoffMs?: number;
  sleep?: (ms: number) => Promise<void>;
};

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Drains the outbox outside any request. A chunk's recipients are marked sent only after the provider accepted them,
 * and a chunk is always sent with the same idempotency key, so after a crash the chunk in flight is sent again and
 * the provider answers with the first result instead of delivering twice.
 */
export function createSender(options: SenderOptions) {
  const { db, clock, transport, compose } = options;
  const log = options.log ?? (() => {});
  const sleep = options.sleep ?? defaultSleep;
  const maxAttempts = options.maxAttempts ?? 8;
  const backoffMs = options.backoffMs ?? 1000;
  const unit = Math.min(100, transport.maxChunkSize ?? 100);
  let stopped = false;
  const loop = createWakeLoop("sender", () => drain(), log);

  async function nextChunks() {
    return db
      .selectDistinct({
        notificationId: deliveries.notificationId,
        chunk: deliveries.chunk,
        createdAt: notifications.createdAt,
      })
      .from(deliveries)
      .innerJoin(notifications, eq(notifications.id, deliveries.notificationId))
      .where(eq(deliveries.status, "pending"))
      .orderBy(asc(notifications.createdAt), asc(deliveries.notificationId), asc(deliveries.chunk))
      .limit(20);
  }

  async function drain() {
    for (let chunks = await nextChunks(); chunks.length > 0 && !stopped; chunks = await nextChunks()) {
      for (const { notificationId, chunk } of chunks) {
        if (stopped) return;
        const rows = await db
          .select()
          .from(deliveries)
          .where(and(eq(deliveries.notificationId, notificationId), eq(deliveries.chunk, chunk)))
          .orderBy(asc(deliveries.subscriberId));
        for (let i = 0; i < rows.length; i += unit) {
          const part = rows.slice(i, i + unit);
          if (part.every((r) => r.status !== "pending")) continue;
          const key = unit === 100 ? `marquee/${notificationId}/${chunk}` : `marquee/${notificationId}/${chunk}/${i}`;
          await sendUntilSettled(notificationId, part, key);
        }
      }
    }
  }

  async function sendUntilSettled(notificationId: string, recipients: Delivery[], key: string) {
    const ids = recipients.map((r) => r.subscriberId);
    const where = and(eq(deliveries.notificationId, notificationId), inArray(deliveries.subscriberId, ids));
    for (let attempt = recipients[0]!.attempts + 1; ; attempt++) {
      const result = await compose({ notificationId, recipients }).then(
        (emails) =>
          transport
            .sendChunk(emails, key)
            .catch((error: unknown): ChunkResult => ({ ok: false, retryable: true, error: messageOf(error) })),
        // An email that cannot be built will not be built on a retry either; it must not block the outbox.
        (error: unknown): ChunkResult => ({
          ok: false,
          retryable: false,
          error: `could not build: ${messageOf(error)}`,
        }),
      );
      const now = clock();
      if (result.ok) {
        await runAtomically(
          db,
          recipients.map((r, index) =>
            db
              .update(deliveries)
              .set({
                status: "sent",
                providerId: result.ids[index] ?? null,
                attempts: attempt,
                error: null,
                updatedAt: now,
              })
              .where(and(eq(deliveries.notificationId, notificationId), eq(deliveries.subscriberId, r.subscriberId))),
          ),
        );
        return;
      }
      const giveUp = !result.retryable || attempt >= maxAttempts;
      // Never swallowed: the error stays on the recipients' rows, where staff see it.
      await db
        .update(deliveries)
        .set({ attempts: attempt, error: result.error, updatedAt: now, ...(giveUp && { status: "failed" as const }) })
        .where(where);
      log(`chunk ${key} ${giveUp ? "failed for good" : "failed, will retry"} (attempt ${attempt}): ${result.error}`);
      if (giveUp) return;
      await sleep(result.retryAfterMs ?? Math.min(60_000, backoffMs * 2 ** (attempt - 1)));
    }
  }

  return {
    wake: () => (stopped ? undefined : loop.wake()),
    /** Resolves when the outbox is drained (or the sender is waiting for a wake). */
    idle: loop.idle,
    async stop() {
      stopped = true;
      await loop.idle();
    },
  };
}

export type Sender = ReturnType<typeof createSender>;

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
