import { inArray, lt } from "drizzle-orm";
import { receivedWebhooks, subscribers } from "@/db/schema";
import { AppError } from "@/api/errors";
import type { Deps } from "./deps";

const toleranceMs = 5 * 60 * 1000;

/**
 * Checks a Svix (Standard Webhooks) signature as Resend sends it: HMAC-SHA256 over `${id}.${timestamp}.${raw body}`
 * with the secret after `whsec_`, base64, any of several `v1,` entries, timestamp within five minutes.
 * https://resend.com/docs/dashboard/webhooks/verify-webhooks-requests
 */
export async function verifyResendSignature(
  secret: string,
  headers: { id?: string; timestamp?: string; signature?: string },
  rawBody: string,
  now: number,
): Promise<void> {
  const { id, timestamp, signature } = headers;
  if (!id || !timestamp || !signature)
    throw new AppError("unauthorized", "Missing svix-id, svix-timestamp or svix-signature");
  const sentAt = Number(timestamp) * 1000;
  if (!Number.isFinite(sentAt) || Math.abs(now - sentAt) > toleranceMs) {
    throw new AppError("unauthorized", "The webhook timestamp is too old or too new");
  }
  const keyBytes = Uint8Array.from(atob(secret.replace(/^whsec_/, "")), (c) => c.charCodeAt(0));
  const key = await crypto.subtle.importKey("raw", keyBytes, { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
  const content = new TextEncoder().encode(`${id}.${timestamp}.${rawBody}`);
  for (const entry of signature.split(" ")) {
    const [version, value] = entry.split(",");
    if (version !== "v1" || !value) continue;
    let given: Uint8Array<ArrayBuffer>;
    try {
      given = Uint8Array.from(atob(value), (c) => c.charCodeAt(0));
    } catch {
      continue;
    }
    // crypto.subtle.verify compares in constant time.
    if (await crypto.subtle.verify("HMAC", key, given, content)) return;
  }
  throw new AppError("unauthorized", "No matching webhook signature");
}

type ResendEvent = { type?: string; data?: { to?: unknown; bounce?: { type?: string } } };

/**
 * Stops mail to addresses that bounce for good or complain: Resend suppresses them too, and every further email
 * would hurt the sending domain. Each delivery id is handled once.
 */
export async function handleResendEvent(
  deps: Deps,
  deliveryId: string,
  event: ResendEvent,
): Promise<{ suppressed: number }> {
  const now = deps.clock();
  await deps.db.delete(receivedWebhooks).where(lt(receivedWebhooks.receivedAt, now - 30 * 24 * 3600e3));
  const fresh = await deps.db
    .insert(receivedWebhooks)
    .values({ id: deliveryId, receivedAt: now })
    .onConflictDoNothing()
    .returning({ id: receivedWebhooks.id });
  if (fresh.length === 0) return { suppressed: 0 };
  const permanentBounce = event.type === "email.bounced" && event.data?.bounce?.type !== "Transient";
  const suppress = permanentBounce || event.type === "email.complained" || event.type === "email.suppressed";
  const to = Array.isArray(event.data?.to) ? event.data.to.filter((a): a is string => typeof a === "string") : [];
  if (!suppress || to.length === 0) return { suppressed: 0 };
  const addresses = to.map((a) => a.trim().toLowerCase()).slice(0, 90);
  const changed = await deps.db
    .update(subscribers)
    .set({ status: "suppressed", updatedAt: now })
    .where(inArray(subscribers.email, addresses))
    .returning({ id: subscribers.id });
  return { suppressed: changed.length };
}
