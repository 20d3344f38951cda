import { and, asc, eq, isNull, lte, or } from "drizzle-orm";
import { confirmationEmails } from "@/db/schema";
import { confirmationLifetime, confirmationTokenMaker } from "@/api/services/confirmations";
import type { Deps } from "@/api/services/deps";
import { loadPage } from "@/api/services/read-model";
import { linkKey } from "@/api/services/subscriber-links";
import { withoutAddresses } from "@/present/redact";
import { defaultFrom } from "./from";
import { confirmationEmail } from "./templates";
import type { ChunkResult, MailTransport } from "./transport";
import { createWakeLoop } from "./wake-loop";

export type ConfirmationSenderOptions = Deps & {
  transport: MailTransport & { maxChunkSize?: number };
  emailFrom?: string;
  log?: (message: string) => void;
  maxAttempts?: number;
  backoffMs?: number;
  /** How long a sender holds a chunk it is sending, so that another (a Workers invocation) leaves it alone. */
  leaseMs?: number;
  /** Stop taking chunks after this time (UTC ms): an invocation's limits; the next run resumes. */
  deadline?: number;
};

/**
 * Drains the confirmation outbox with the notification sender's guarantees: a chunk is sent with the same idempotency
 * key however often it is tried, its rows are marked sent only after the provider accepted them, and a failed chunk
 * waits out its backoff as a lease, taken up by a later wake (every tick at the latest).
 */
export function createConfirmationSender(options: ConfirmationSenderOptions) {
  const { db, clock, transport } = options;
  const log = options.log ?? (() => {});
  const maxAttempts = options.maxAttempts ?? 8;
  const backoffMs = options.backoffMs ?? 1000;
  const leaseMs = options.leaseMs ?? 60_000;
  const unit = Math.min(100, transport.maxChunkSize ?? 100);
  const loop = createWakeLoop("confirmation sender", drain, log);
  const due = () => or(isNull(confirmationEmails.leaseUntil), lte(confirmationEmails.leaseUntil, clock()));
  const inChunk = (batch: string, chunk: number) =>
    and(eq(confirmationEmails.batch, batch), eq(confirmationEmails.chunk, chunk));

  async function drain() {
    for (;;) {
      const chunks = await db
        .selectDistinct({ batch: confirmationEmails.batch, chunk: confirmationEmails.chunk })
        .from(confirmationEmails)
        .where(and(eq(confirmationEmails.status, "pending"), due()))
        .orderBy(asc(confirmationEmails.batch), asc(confirmationEmails.chunk))
        .limit(20);
      if (chunks.length === 0) return;
      for (const { batch, chunk } of chunks) {
        if (options.deadline !== undefined && clock() >= options.deadline) return;
        await sendChunk(batch, chunk);
      }
    }
  }

  async function sendChunk(batch: string, chunk: number) {
    // Claim the chunk: the rows come back only if no other sender holds it and its backoff is over.
    const rows = await db
      .update(confirmationEmails)
      .set({ leaseUntil: clock() + leaseMs })
      .where(and(inChunk(batch, chunk), eq(confirmationEmails.status, "pending"), due()))
      .returning();
    if (rows.length === 0) return;
    rows.sort((a, b) => a.id.localeCompare(b.id));
    const page = await loadPage(db, options.siteUrl);
    const tokenFor = confirmationTokenMaker(await linkKey(db));
    const from = options.emailFrom ?? defaultFrom(page);
    const attempt = rows[0]!.attempts + 1;
    let result: ChunkResult;
    try {
      const emails = rows.map((row) =>
        confirmationEmail({
          page,
          confirmUrl: `${page.url}/subscribe/confirm/${tokenFor(row.id)}`,
          from,
          to: row.email,
          expiresInHours: confirmationLifetime / 3600e3,
        }),
      );
      const parts: ChunkResult[] = [];
      for (let i = 0; i < emails.length; i += unit) {
        const part = emails.slice(i, i + unit);
        const partKey =
          unit >= rows.length ? `marquee/confirm/${batch}/${chunk}` : `marquee/confirm/${batch}/${chunk}/${i}`;
        parts.push(await transport.sendChunk(part, partKey));
      }
      result = parts.find((p) => !p.ok) ?? { ok: true, ids: [] };
    } catch (error) {
      result = { ok: false, retryable: true, error: error instanceof Error ? error.message : String(error) };
    }
    const now = clock();
    const where = and(inChunk(batch, chunk), eq(confirmationEmails.status, "pending"));
    if (result.ok) {
      await db
        .update(confirmationEmails)
        .set({ status: "sent", attempts: attempt, error: null, leaseUntil: null, updatedAt: now })
        .where(where);
      return;
    }
    const giveUp = !result.retryable || attempt >= maxAttempts;
    const wait = result.retryAfterMs ?? Math.min(60_000, backoffMs * 2 ** (attempt - 1));
    await db
      .update(confirmationEmails)
      .set({
        attempts: attempt,
        error: withoutAddresses(result.error),
        updatedAt: now,
        leaseUntil: giveUp ? null : now + wait,
        ...(giveUp && { status: "failed" as const }),
      })
      .where(where);
    log(
      `confirmation chunk ${batch}/${chunk} ${giveUp ? "failed for good" : "failed, will retry"}: ${withoutAddresses(result.error)}`,
    );
  }

  return { wake: loop.wake, idle: loop.idle };
}
