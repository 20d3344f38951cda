import { and, eq, sql } from "drizzle-orm";
import { type Delivery, deliveries } from "@/db/schema";
import type { Deps } from "@/api/services/deps";
import { chunkSize, queueMoreRecipients } from "@/api/services/outbox";
import { withoutAddresses } from "@/present/redact";
import { chunkName, nextChunks, recipientsOf, statementsOf, unleased } from "./outbox-reads";
import type { ChunkResult, MailTransport, OutgoingEmail } from "./transport";
import { createWakeLoop } from "./wake-loop";
import { afterIo } from "@/api/event-loop";

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
  /**
   * Where several senders may run at once (Workers invocations), each claims a chunk for this long before sending
   * it, and a chunk that failed waits out its backoff as a lease instead of a sleep, so the next run retries it.
   */
  leaseMs?: number;
  /** Stop taking chunks after this time (UTC ms): an invocation's limits; the next run resumes. */
  deadline?: number;
  /**
   * Send at most this many chunks per run: each costs one subrequest and a few D1 queries, and a Workers invocation
   * has a budget of both. The next run resumes.
   */
  maxChunks?: number;
  /**
   * Resolves once the pages of every write so far are published (the publisher's `settled`). A notification's first
   * chunk waits for it: the email links to the incident's page, which must show the update when the customer clicks,
   * and publishing then never competes with building chunks for the event loop.
   */
  pagesPublished?: () => Promise<void>;
};

/** Notifications remembered as past their pages' publish: a sender works on one or two at a time. */
const keptPublished = 64;

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
/**
 * Turns of the event loop for the sender's work: one waiter goes per turn, after the loop has polled for I/O. With
 * several chunks in flight, each of their steps (reading a
 * chunk, building it) takes its own turn, so a reader's request waits behind one step of a few milliseconds,
 * never behind every chunk in flight.
 */
function createTurns() {
  const waiting: (() => void)[] = [];
  let scheduled = false;
  const next = () => {
    scheduled = false;
    waiting.shift()?.();
    if (waiting.length > 0) schedule();
  };
  const schedule = () => {
    if (!scheduled) {
      scheduled = true;
      afterIo(next);
    }
  };
  return () =>
    new Promise<void>((resolve) => {
      waiting.push(resolve);
      schedule();
    });
}

/**
 * Drains the outbox outside any request. A chunk's recipients are marked sent only after the provider accepted them,
 * and a chunk is always sent with the same idempotency key, so after a crash the chunks in flight are sent again and
 * the provider answers with the first result instead of delivering twice. Up to the transport's `maxInFlight` chunks
 * are in flight at once, so building the next chunks and waiting for answers overlap; the transport still starts
 * its requests at its own pace.
 */
export function createSender(options: SenderOptions) {
  const { db, clock, transport, compose } = options;
  const log = options.log ?? (() => {});
  const sleep = options.sleep ?? defaultSleep;
  const maxAttempts = options.maxAttempts ?? 8;
  const backoffMs = options.backoffMs ?? 1000;
  const unit = Math.min(chunkSize, transport.maxChunkSize ?? chunkSize);
  const window = Math.max(1, Math.floor(transport.maxInFlight ?? 1));
  let stopped = false;
  const nextTurn = createTurns();
  const loop = createWakeLoop("sender", () => drain(), log);

  let chunksSent = 0;
  const published = new Set<string>();
  /** Waits, once per notification, until the pages of the write that queued it are published. */
  async function afterPagesOf(notificationIds: string[]) {
    const fresh = notificationIds.filter((id) => !published.has(id));
    if (fresh.length === 0 || !options.pagesPublished) return;
    await options.pagesPublished();
    for (const id of fresh) published.add(id);
    for (const id of published) if (published.size > keptPublished) published.delete(id);
  }
  const outOfBudget = () =>
    (options.deadline !== undefined && clock() >= options.deadline) ||
    (options.maxChunks !== undefined && chunksSent >= options.maxChunks);

  async function drain() {
    const inFlight = new Map<string, Promise<void>>();
    let failure: { error: unknown } | undefined;
    const mayTake = () => !stopped && failure === undefined && !outOfBudget();
    try {
      while (mayTake()) {
        // One slice of recipients queued per round (a few milliseconds, its own turn): ten chunks, ahead of sending.
        await nextTurn();
        const queuing = await queueMoreRecipients(db, clock());
        const chunks = await nextChunks(db, {
          skip: new Set(inFlight.keys()),
          limit: 20,
          leasedAt: options.leaseMs ? clock() : undefined,
        });
        if (chunks.length === 0) {
          if (queuing) continue;
          if (inFlight.size === 0) return;
          await Promise.race(inFlight.values());
          continue;
        }
        await afterPagesOf(chunks.map((c) => c.notificationId));
        for (const { notificationId, chunk } of chunks) {
          while (inFlight.size >= window) await Promise.race(inFlight.values());
          if (!mayTake()) break;
          if (!(await claim(notificationId, chunk))) continue;
          chunksSent++;
          const name = chunkName({ notificationId, chunk });
          const sending = sendChunk(notificationId, chunk)
            .catch((error: unknown) => void (failure ??= { error }))
            .finally(() => inFlight.delete(name));
          inFlight.set(name, sending);
        }
      }
    } finally {
      await Promise.all(inFlight.values());
    }
    if (failure) throw failure.error;
  }

  async function sendChunk(notificationId: string, chunk: number) {
    // The queries below are synchronous on Node and building a chunk takes milliseconds: readers' requests go first,
    // here and between reading a chunk and building it, rather than after all the chunks in flight.
    await nextTurn();
    const rows = await recipientsOf(db, { notificationId, chunk }, unit);
    for (let i = 0; i < rows.length; i += unit) {
      const part = rows.slice(i, i + unit);
      if (part.every((r) => r.status !== "pending")) continue;
      const key = unit === chunkSize ? `marquee/${notificationId}/${chunk}` : `marquee/${notificationId}/${chunk}/${i}`;
      await sendUntilSettled(notificationId, part, key);
    }
  }

  /** Takes a chunk for this sender alone, when senders may run side by side; false if another holds it. */
  async function claim(notificationId: string, chunk: number): Promise<boolean> {
    if (!options.leaseMs) return true;
    const claimed = await db
      .update(deliveries)
      .set({ leaseUntil: clock() + options.leaseMs })
      .where(
        and(
          eq(deliveries.notificationId, notificationId),
          eq(deliveries.chunk, chunk),
          eq(deliveries.status, "pending"),
          unleased(clock()),
        ),
      )
      .returning({ subscriberId: deliveries.subscriberId });
    return claimed.length > 0;
  }

  async function sendUntilSettled(notificationId: string, recipients: Delivery[], key: string) {
    // The recipients as one JSON parameter: D1 binds at most 100 parameters per statement, a chunk has 100.
    const ids = JSON.stringify(recipients.map((r) => r.subscriberId));
    const where = and(
      eq(deliveries.notificationId, notificationId),
      sql`${deliveries.subscriberId} IN (SELECT value FROM json_each(${ids}))`,
    );
    for (let attempt = recipients[0]!.attempts + 1; ; attempt++) {
      await nextTurn();
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
        const providerIds = JSON.stringify(
          Object.fromEntries(recipients.map((r, index) => [r.subscriberId, result.ids[index] ?? null])),
        );
        await statementsOf(db).markSent.run({
          notificationId,
          subscriberIds: ids,
          providerIds,
          attempts: attempt,
          now,
        });
        return;
      }
      const giveUp = !result.retryable || attempt >= maxAttempts;
      // Never swallowed: the error stays on the recipients' rows, where staff see it. Without addresses: a mail
      // server names the recipient it refused, and read keys see these errors (GET /api/v1/notifications).
      const error = withoutAddresses(result.error);
      await db
        .update(deliveries)
        .set({ attempts: attempt, error, updatedAt: now, ...(giveUp && { status: "failed" as const }) })
        .where(where);
      log(`chunk ${key} ${giveUp ? "failed for good" : "failed, will retry"} (attempt ${attempt}): ${error}`);
      if (giveUp) return;
      const wait = result.retryAfterMs ?? Math.min(60_000, backoffMs * 2 ** (attempt - 1));
      if (options.leaseMs) {
        await db
          .update(deliveries)
          .set({ leaseUntil: now + wait })
          .where(where);
        return;
      }
      await sleep(wait);
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
