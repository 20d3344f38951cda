import { lt, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { rateLimits } from "@/db/schema";

/**
 * Counts one hit on `key` in a fixed window and tells whether it stays within `limit`. One statement, so concurrent
 * requests cannot both slip under the limit.
 */
export async function withinRateLimit(db: Db, key: string, limit: number, windowMs: number, now: number) {
  return (await hitRateLimit(db, key, limit, windowMs, now)).allowed;
}

/** As `withinRateLimit`, and when the window ends: what a 429's Retry-After tells the client, in whole seconds. */
export async function hitRateLimit(db: Db, key: string, limit: number, windowMs: number, now: number) {
  const [row] = await db
    .insert(rateLimits)
    .values({ key, windowStart: now, count: 1 })
    .onConflictDoUpdate({
      target: rateLimits.key,
      set: {
        count: sql`case when ${rateLimits.windowStart} <= ${now - windowMs} then 1 else ${rateLimits.count} + 1 end`,
        windowStart: sql`case when ${rateLimits.windowStart} <= ${now - windowMs} then ${now} else ${rateLimits.windowStart} end`,
      },
    })
    .returning({ count: rateLimits.count, windowStart: rateLimits.windowStart });
  return {
    allowed: row!.count <= limit,
    retryAfterSeconds: Math.max(1, Math.ceil((row!.windowStart + windowMs - now) / 1000)),
  };
}

/** Counters whose window ended a day ago or more are of no use; the ticker drops them once a day. */
export async function deleteStaleRateLimits(db: Db, now: number) {
  await db.delete(rateLimits).where(lt(rateLimits.windowStart, now - 24 * 3600e3));
}
