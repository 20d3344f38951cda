import type { Statement } from "@/db/client";
import { confirmationEmails, confirmationTokens } from "@/db/schema";
import { hmacSha256Hex, newId, sha256Hex } from "@/api/ids";
import type { Deps } from "./deps";
import { linkKey } from "./subscriber-links";

export const confirmationLifetime = 48 * 3600e3;
const perChunk = 100;
// D1 binds at most 100 parameters per statement: rows per multi-row insert, by their column count.
const tokensPerInsert = 30;
const emailsPerInsert = 12;

/** The token of the link in one confirmation email: derived from the outbox row's id, never stored. */
export async function confirmationToken(key: string, emailId: string): Promise<string> {
  return hmacSha256Hex(key, `confirm:${emailId}`);
}

/**
 * Statements that queue one confirmation email per subscriber: the outbox rows the sender turns into emails, in
 * chunks of 100 sent with stable idempotency keys, and the hashes their links are checked against. Part of the
 * write that makes the subscribers unconfirmed, so a crash loses neither.
 */
export async function confirmationStatements(
  deps: Deps,
  recipients: readonly { id: string; email: string }[],
): Promise<Statement[]> {
  if (recipients.length === 0) return [];
  const now = deps.clock();
  const key = await linkKey(deps.db);
  const batch = newId();
  const emails = recipients.map((r, i) => ({
    id: newId(16),
    batch,
    chunk: Math.floor(i / perChunk),
    subscriberId: r.id,
    email: r.email,
    status: "pending" as const,
    createdAt: now,
    updatedAt: now,
  }));
  const tokens = await Promise.all(
    emails.map(async (e) => ({
      tokenHash: await sha256Hex(await confirmationToken(key, e.id)),
      subscriberId: e.subscriberId,
      expiresAt: now + confirmationLifetime,
    })),
  );
  const statements: Statement[] = [];
  for (let i = 0; i < tokens.length; i += tokensPerInsert) {
    statements.push(deps.db.insert(confirmationTokens).values(tokens.slice(i, i + tokensPerInsert)));
  }
  for (let i = 0; i < emails.length; i += emailsPerInsert) {
    statements.push(deps.db.insert(confirmationEmails).values(emails.slice(i, i + emailsPerInsert)));
  }
  return statements;
}
