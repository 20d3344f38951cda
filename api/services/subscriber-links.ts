import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { appSecrets } from "@/db/schema";
import { constantTimeEqual, hmacSha256Hex, hmacSha256Signer, randomToken } from "@/api/ids";

/**
 * Unsubscribe and manage links carry `<subscriber id>.<HMAC of it>`: nothing to store, nothing to look up by token,
 * and a link can be rebuilt for every email. Only the subscriber's own emails ever contain it.
 */
export async function linkKey(db: Db): Promise<string> {
  await db
    .insert(appSecrets)
    .values({ name: "subscriber-link-key", value: randomToken(32) })
    .onConflictDoNothing();
  const [row] = await db.select().from(appSecrets).where(eq(appSecrets.name, "subscriber-link-key"));
  return row!.value;
}

async function mac(key: string, subscriberId: string): Promise<string> {
  return (await hmacSha256Hex(key, `subscriber:${subscriberId}`)).slice(0, 32);
}

export async function subscriberToken(key: string, subscriberId: string): Promise<string> {
  return `${subscriberId}.${await mac(key, subscriberId)}`;
}

/** Makes tokens for many subscribers under one key: a notification's recipients. */
export function subscriberTokenMaker(key: string): (subscriberId: string) => string {
  const sign = hmacSha256Signer(key);
  return (subscriberId) => `${subscriberId}.${sign(`subscriber:${subscriberId}`).slice(0, 32)}`;
}

/** The subscriber id a token names, or null when the token was not made by this page. */
export async function verifySubscriberToken(key: string, token: string): Promise<string | null> {
  const match = /^([a-z0-9]{12})\.([0-9a-f]{32})$/.exec(token);
  if (!match) return null;
  return constantTimeEqual(await mac(key, match[1]!), match[2]!) ? match[1]! : null;
}
