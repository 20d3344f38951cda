import { eq } from "drizzle-orm";
import { rateLimits } from "@/db/schema";
import type { Deps } from "./deps";
import { withinRateLimit } from "./rate-limit";

/**
 * Failed sign-ins (a wrong API key on the API, a wrong key on the console's login) counted per client in a fixed
 * window, shared by both doors. Past the limit the client is answered 429 before its key is even looked at, so a
 * guesser gets `failureLimit` tries per window, however many requests it sends at once.
 */
export const failureLimit = 10;
export const failureWindowMs = 5 * 60 * 1000;

const counterKey = (client: string) => `auth-failure:${client}`;

/** The seconds until the client may try again, or null when it has failures left in this window. */
export async function throttledFor(deps: Deps, client: string): Promise<number | null> {
  const [row] = await deps.db
    .select()
    .from(rateLimits)
    .where(eq(rateLimits.key, counterKey(client)));
  const now = deps.clock();
  if (!row || row.count < failureLimit || row.windowStart <= now - failureWindowMs) return null;
  return Math.max(1, Math.ceil((row.windowStart + failureWindowMs - now) / 1000));
}

export async function recordAuthFailure(deps: Deps, client: string): Promise<void> {
  await withinRateLimit(deps.db, counterKey(client), failureLimit, failureWindowMs, deps.clock());
}
