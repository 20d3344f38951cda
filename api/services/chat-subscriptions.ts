import { and, eq } from "drizzle-orm";
import { runAtomically, type Statement } from "@/db/client";
import { type ChatChannel, chatChannelComponents, chatChannels, chatPosts } from "@/db/schema";
import { checkChatUrl } from "@/api/chat/platforms";
import { AppError } from "@/api/errors";
import { newId, sha256HexSync } from "@/api/ids";
import { outboundOf } from "@/api/outbound/outbound";
import type { ChatSubscribeInput } from "@/api/schemas";
import { chatConfirmTokenMaker } from "./chat-links";
import type { Deps } from "./deps";
import { type Written, written } from "./effects";
import { linkKey } from "./subscriber-links";
import type { ChatSubscription, SubscriptionRequest } from "./subscriptions";

/** How long a confirmation link posted into a channel works. */
export const chatConfirmationLifetimeMs = 48 * 3600e3;

/**
 * Checks a chat subscription before anything else: the URL must be the platform's own incoming-webhook URL (with
 * ALLOW_PRIVATE_WEBHOOKS, a local receiver too). A refusal is a 422 naming `webhook_url` with the reason. The URL
 * is kept as the URL parser writes it back, so one webhook typed two ways is one channel.
 */
export function chatSubscription(deps: Deps, input: ChatSubscribeInput): ChatSubscription {
  const check = checkChatUrl(input.channel, input.webhook_url, outboundOf(deps).policy ?? { allowPrivate: false });
  if (!check.ok) {
    throw new AppError("validation_failed", `webhook_url: ${check.error}`, [
      { path: "webhook_url", message: check.error },
    ]);
  }
  return { platform: input.channel, url: check.url.href, components: [...new Set(input.components ?? [])] };
}

/**
 * Starts a chat channel's double opt-in for an admitted request (see `admitSubscriptionRequest`), after the requester
 * has been answered. A new, unsubscribed or disabled channel becomes `unconfirmed` with the components asked for, and
 * one confirmation post is queued; its token's hash replaces any earlier one, so only the latest link confirms. An
 * active channel is left as it is: its components change only through the manage link posted inside the channel,
 * never from a form anyone can fill in. A staff broadcast channel on the same URL already hears about everything.
 */
export async function requestChatSubscription(
  deps: Deps,
  request: ChatSubscription,
): Promise<Written<SubscriptionRequest>> {
  const { db } = deps;
  const now = deps.clock();
  const [existing] = await db
    .select()
    .from(chatChannels)
    .where(and(eq(chatChannels.platform, request.platform), eq(chatChannels.url, request.url)));
  if (existing?.purpose === "broadcast") return written("nothing-sent", {});
  if (existing?.status === "active") return written("already-active", {});

  const id = existing?.id ?? newId();
  const postId = newId();
  const fields = {
    status: "unconfirmed" as const,
    allComponents: request.components.length === 0,
    confirmTokenHash: sha256HexSync(chatConfirmTokenMaker(await linkKey(db))(postId)),
    confirmExpiresAt: now + chatConfirmationLifetimeMs,
    confirmedAt: null,
    failingSince: null,
    disabledAt: null,
    disabledReason: null,
    updatedAt: now,
  };
  const statements: Statement[] = [
    existing
      ? db.update(chatChannels).set(fields).where(eq(chatChannels.id, id))
      : db.insert(chatChannels).values({
          id,
          platform: request.platform,
          url: request.url,
          purpose: "subscriber",
          createdAt: now,
          ...fields,
        }),
    ...chatComponentStatements(deps, id, request.components),
    // A post not yet sent would carry a link that no longer works, or an update for a channel not confirmed again.
    db.delete(chatPosts).where(and(eq(chatPosts.channelId, id), eq(chatPosts.status, "pending"))),
    db.insert(chatPosts).values({
      id: postId,
      channelId: id,
      kind: "confirmation",
      status: "pending",
      nextAttemptAt: now,
      createdAt: now,
    }),
  ];
  await runAtomically(db, statements);
  return written("confirmation-queued", { wake: true });
}

export function chatComponentStatements(deps: Deps, channelId: string, components: string[]): Statement[] {
  return [
    deps.db.delete(chatChannelComponents).where(eq(chatChannelComponents.channelId, channelId)),
    ...components.map((componentId) => deps.db.insert(chatChannelComponents).values({ channelId, componentId })),
  ];
}

/**
 * The channel a confirmation token would confirm, changing nothing: the link posted into a channel only shows a
 * button, since chat apps fetch links to unfurl them. Unknown, replaced, used and expired tokens give null.
 */
export async function pendingChatConfirmation(deps: Deps, token: string): Promise<ChatChannel | null> {
  const [channel] = await deps.db
    .select()
    .from(chatChannels)
    .where(and(eq(chatChannels.confirmTokenHash, sha256HexSync(token)), eq(chatChannels.status, "unconfirmed")));
  if (!channel || channel.confirmExpiresAt === null || channel.confirmExpiresAt < deps.clock()) return null;
  return channel;
}

/** Confirms the channel a token names: it becomes active and the token stops working. Otherwise null, nothing changed. */
export async function confirmChatChannel(deps: Deps, token: string): Promise<Written<ChatChannel | null>> {
  const now = deps.clock();
  const pending = await pendingChatConfirmation(deps, token);
  if (!pending) return written(null, {});
  // Conditional on the same hash: two presses at once confirm once, and a link replaced meanwhile confirms nothing.
  const [channel] = await deps.db
    .update(chatChannels)
    .set({ status: "active", confirmedAt: now, confirmTokenHash: null, confirmExpiresAt: null, updatedAt: now })
    .where(
      and(
        eq(chatChannels.id, pending.id),
        eq(chatChannels.status, "unconfirmed"),
        eq(chatChannels.confirmTokenHash, pending.confirmTokenHash!),
      ),
    )
    .returning();
  return written(channel ?? null, {});
}
