import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { appSecrets } from "@/db/schema";
import { constantTimeEqual, randomToken } from "@/api/ids";

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
  const cryptoKey = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(key),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const signature = await crypto.subtle.sign("HMAC", cryptoKey, new TextEncoder().encode(`subscriber:${subscriberId}`));
  return Array.from(new Uint8Array(signature).slice(0, 16), (b) => b.toString(16).padStart(2, "0")).join("");
}

export async function subscriberToken(key: string, subscriberId: string): Promise<string> {
  return `${subscriberId}.${await mac(key, subscriberId)}`;
}

/** The subscriber id a token names, or null when the token was not made by this page. */
export async function verifySubscriberToken(key: string, token: string): Promise<string | null> {
  const match = /^([a-z0-9]{12})\.([0-9a-f]{32})$/.exec(token);
  if (!match) return null;
  return constantTimeEqual(await mac(key, match[1]!), match[2]!) ? match[1]! : null;
}
