import { sql } from "drizzle-orm";
import type { Statement } from "@/db/client";
import { confirmationEmails, confirmationTokens } from "@/db/schema";
import { hmacSha256Signer, newId, sha256HexSync } from "@/api/ids";
import type { Deps } from "./deps";
import { linkKey } from "./subscriber-links";

export const confirmationLifetime = 48 * 3600e3;
const perChunk = 100;
// Rows travel as one JSON parameter per statement, within D1's limits of 100 parameters and 2 MB per string.
const rowsPerStatement = 500;

/** Makes the tokens of confirmation links under one key: each derived from its outbox row's id, never stored. */
export function confirmationTokenMaker(key: string): (emailId: string) => string {
  const sign = hmacSha256Signer(key);
  return (emailId) => sign(`confirm:${emailId}`);
}

/**
 * Statements that queue one confirmation email per subscriber: the outbox rows the sender turns into emails, in
 * chunks of 100 sent with stable idempotency keys, and the hashes their links are checked against. Part of the
 * write that makes the subscribers unconfirmed (a request on the form, an import), so a crash loses neither.
 */
export async function confirmationStatements(
  deps: Deps,
  recipients: readonly { id: string; email: string }[],
): Promise<Statement[]> {
  if (recipients.length === 0) return [];
  const now = deps.clock();
  const tokenFor = confirmationTokenMaker(await linkKey(deps.db));
  const batch = newId();
  const expiresAt = now + confirmationLifetime;
  const statements: Statement[] = [];
  for (let i = 0; i < recipients.length; i += rowsPerStatement) {
    const rows = recipients.slice(i, i + rowsPerStatement).map((r, j) => {
      const id = newId(16);
      return { id, chunk: Math.floor((i + j) / perChunk), subscriberId: r.id, email: r.email };
    });
    const emails = JSON.stringify(rows.map((r) => [r.id, r.chunk, r.subscriberId, r.email]));
    const tokens = JSON.stringify(rows.map((r) => [sha256HexSync(tokenFor(r.id)), r.subscriberId]));
    statements.push(
      deps.db
        .insert(confirmationTokens)
        .select(
          sql`select json_extract(value, '$[0]'), json_extract(value, '$[1]'), ${expiresAt} from json_each(${tokens})`,
        ),
      deps.db.insert(confirmationEmails).select(
        sql`select json_extract(value, '$[0]'), ${batch}, json_extract(value, '$[1]'), json_extract(value, '$[2]'),
              json_extract(value, '$[3]'), 'pending', 0, null, null, ${now}, ${now}
            from json_each(${emails})`,
      ),
    );
  }
  return statements;
}
