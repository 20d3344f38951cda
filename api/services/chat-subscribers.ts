import { and, count, desc, eq, inArray, ne } from "drizzle-orm";
import { runAtomically } from "@/db/client";
import { type ChatChannel, chatChannelComponents, chatChannels, chatPosts } from "@/db/schema";
import { notFound } from "@/api/errors";
import { type StaffDeps, writeAudited } from "./audit";
import { verifyChatChannelToken } from "./chat-links";
import { chatComponentStatements } from "./chat-subscriptions";
import { assertComponentsExist } from "./component-status";
import type { Deps } from "./deps";
import { type Written, written } from "./effects";
import { linkKey } from "./subscriber-links";

export type ChatSubscriber = ChatChannel & { components: string[] };

/**
 * The customer channel a manage/unsubscribe token names, with its components, or null. Staff broadcast channels are
 * managed by staff only: anyone in a channel sees its links, and a public channel's members must not stop it.
 */
export async function chatSubscriberFromToken(deps: Deps, token: string): Promise<ChatSubscriber | null> {
  const id = verifyChatChannelToken(await linkKey(deps.db), token);
  if (!id) return null;
  const [channel] = await deps.db
    .select()
    .from(chatChannels)
    .where(and(eq(chatChannels.id, id), eq(chatChannels.purpose, "subscriber")));
  if (!channel) return null;
  const chosen = await deps.db
    .select({ id: chatChannelComponents.componentId })
    .from(chatChannelComponents)
    .where(eq(chatChannelComponents.channelId, id));
  return { ...channel, components: chosen.map((c) => c.id) };
}

/** Stops every post to a customer channel at once; what was queued for it and not yet sent is dropped. */
export async function unsubscribeChatChannel(deps: Deps, id: string): Promise<Written<void>> {
  const now = deps.clock();
  await runAtomically(deps.db, [
    deps.db
      .update(chatChannels)
      .set({ status: "unsubscribed", confirmTokenHash: null, confirmExpiresAt: null, updatedAt: now })
      .where(and(eq(chatChannels.id, id), ne(chatChannels.status, "unsubscribed"))),
    deps.db.delete(chatPosts).where(and(eq(chatPosts.channelId, id), eq(chatPosts.status, "pending"))),
  ]);
  return written(undefined, {});
}

/** Changes which components a channel follows: an empty list means all of them. */
export async function chooseChatComponents(deps: Deps, id: string, components: string[]): Promise<Written<void>> {
  const unique = [...new Set(components)];
  await assertComponentsExist(deps.db, unique);
  await runAtomically(deps.db, [
    deps.db
      .update(chatChannels)
      .set({ allComponents: unique.length === 0, updatedAt: deps.clock() })
      .where(eq(chatChannels.id, id)),
    ...chatComponentStatements(deps, id, unique),
  ]);
  return written(undefined, {});
}

/** Customer channels for the console, newest first, with their components. */
export async function listChatSubscribers(deps: Deps, query: { limit: number; offset: number }) {
  const { db } = deps;
  const customers = eq(chatChannels.purpose, "subscriber");
  const rows = await db
    .select()
    .from(chatChannels)
    .where(customers)
    .orderBy(desc(chatChannels.createdAt), chatChannels.id)
    .limit(query.limit)
    .offset(query.offset);
  const [{ n } = { n: 0 }] = await db.select({ n: count() }).from(chatChannels).where(customers);
  const chosen = new Map<string, string[]>();
  for (let i = 0; i < rows.length; i += 90) {
    const ids = rows.slice(i, i + 90).map((r) => r.id);
    for (const c of await db
      .select()
      .from(chatChannelComponents)
      .where(inArray(chatChannelComponents.channelId, ids))) {
      chosen.set(c.channelId, [...(chosen.get(c.channelId) ?? []), c.componentId]);
    }
  }
  return { total: n, channels: rows.map((r) => ({ ...r, components: chosen.get(r.id) ?? [] })) };
}

/** Removes a customer channel and its queued posts. The audit row keeps the id and platform: the URL is a secret. */
export async function deleteChatSubscriber(deps: StaffDeps, id: string): Promise<Written<void>> {
  const { db } = deps;
  const [row] = await db
    .select({ status: chatChannels.status, platform: chatChannels.platform })
    .from(chatChannels)
    .where(and(eq(chatChannels.id, id), eq(chatChannels.purpose, "subscriber")));
  if (!row) throw notFound("Chat channel", id);
  await writeAudited(deps, { resourceType: "chat_channel", resourceId: id, action: "delete", before: { ...row } }, [
    db.delete(chatChannels).where(eq(chatChannels.id, id)),
  ]);
  return written(undefined, {});
}
