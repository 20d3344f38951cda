import { and, eq, lt } from "drizzle-orm";
import { idempotencyKeys } from "@/db/schema";
import { AppError } from "@/api/errors";
import type { Deps } from "./deps";

const keepFor = 24 * 60 * 60 * 1000;

export type StoredAnswer = { status: number; body: string };

const where = (apiKeyId: string, key: string) =>
  and(eq(idempotencyKeys.apiKeyId, apiKeyId), eq(idempotencyKeys.key, key));

/**
 * Claims an Idempotency-Key for one request before its work starts, so two concurrent retries cannot both do it.
 * Gives null when the claim is this request's, or the first request's stored answer to replay. A key reused for
 * another request, or whose first request is still running, is refused.
 */
export async function claimIdempotencyKey(
  deps: Deps,
  apiKeyId: string,
  key: string,
  fingerprint: string,
): Promise<StoredAnswer | null> {
  const now = deps.clock();
  await deps.db.delete(idempotencyKeys).where(lt(idempotencyKeys.createdAt, now - keepFor));
  const claimed = await deps.db
    .insert(idempotencyKeys)
    .values({ apiKeyId, key, fingerprint, createdAt: now })
    .onConflictDoNothing()
    .returning({ key: idempotencyKeys.key });
  if (claimed.length > 0) return null;
  const [earlier] = await deps.db.select().from(idempotencyKeys).where(where(apiKeyId, key));
  if (!earlier) throw new AppError("conflict", "Retry the request");
  if (earlier.fingerprint !== fingerprint) {
    throw new AppError("idempotency_mismatch", "This Idempotency-Key was used with a different request");
  }
  if (earlier.status === null) throw new AppError("conflict", "A request with this Idempotency-Key is in progress");
  return { status: earlier.status, body: earlier.body ?? "" };
}

/** Nothing was done: a retry with the key may try again. */
export async function releaseIdempotencyKey(deps: Deps, apiKeyId: string, key: string): Promise<void> {
  await deps.db.delete(idempotencyKeys).where(where(apiKeyId, key));
}

export async function storeIdempotentAnswer(deps: Deps, apiKeyId: string, key: string, answer: StoredAnswer) {
  await deps.db.update(idempotencyKeys).set(answer).where(where(apiKeyId, key));
}
