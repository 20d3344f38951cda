import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { type ChatChannel, type ChatPost, chatChannelComponents, components } from "@/db/schema";
import { confirmationMessages } from "@/api/chat/confirmation-messages";
import { incidentMessages } from "@/api/chat/messages";
import type { ChatPlatform } from "@/api/chat/platforms";
import { sha256HexSync } from "@/api/ids";
import { chatChannelTokenMaker, chatConfirmTokenMaker, chatLinkPaths } from "@/api/services/chat-links";
import { loadIncident, loadPage } from "@/api/services/read-model";
import { reminderOfNotification } from "@/api/services/maintenance-reminders";
import { linkKey } from "@/api/services/subscriber-links";
import { reminderLabels } from "./reminder-email";
import { maintenanceWindow } from "./templates";

/** What a post's JSON body is, or why it will never be sent. */
export type PostBody = { ok: true; body: string } | { ok: false; reason: string };

// Stands in for a channel's manage token (`<12-char id>.<32 hex>`, 45 characters) in a message built once per update
// and platform; the same length, so every limit the message was fitted to still holds after the swap. Only [a-z0-9.]
// on either side, which no dialect escapes.
const placeholder = "zzzzzzzzzzzz.manage0token0placeholder0000000z";

type Template = { error: string } | { of: (platform: ChatPlatform) => string };

// Updates whose messages are kept: a sender works on one or two at a time.
const keptUpdates = 8;

/**
 * Builds the bodies of chat posts. An update's message is the same for every channel of a platform but for the manage
 * link, so it is built and serialised once per update and platform, and each post only swaps in its channel's token.
 */
export function createChatPostBodies(options: { db: Db; siteUrl?: string }) {
  const { db } = options;
  const kept = new Map<string, Promise<Template>>();
  let key: Promise<string> | undefined;
  const keyOf = () => (key ??= linkKey(db));

  async function updateTemplates(post: ChatPost): Promise<Template> {
    const page = await loadPage(db, options.siteUrl);
    const incident = await loadIncident(db, post.incidentId!).catch(() => null);
    const update = incident?.updates.find((u) => u.id === post.updateId);
    if (!incident || !update) return { error: "the incident or its update no longer exists" };
    const view = {
      incidentId: incident.id,
      name: incident.name,
      status: update.status,
      impact: incident.impact,
      components: incident.components.map((c) => ({ name: c.name, status: c.status })),
      body: update.body,
      incidentUrl: `${page.url}/incidents/${encodeURIComponent(incident.id)}`,
      manageUrl: `${page.url}${chatLinkPaths.manage(placeholder)}`,
      pageName: page.name,
    };
    const built: Partial<Record<ChatPlatform, string>> = {};
    return { of: (platform) => (built[platform] ??= JSON.stringify(incidentMessages[platform](view))) };
  }

  /** A maintenance's reminder: the maintenance as it stands, under "Scheduled maintenance in 1 hour: <name>". */
  async function reminderTemplates(post: ChatPost): Promise<Template> {
    const page = await loadPage(db, options.siteUrl);
    const maintenance = await loadIncident(db, post.incidentId!).catch(() => null);
    const interval = post.notificationId ? await reminderOfNotification(db, post.notificationId) : null;
    if (!maintenance || !interval) return { error: "the maintenance or its reminder no longer exists" };
    const window = maintenanceWindow(maintenance, page.timeZone);
    const view = {
      incidentId: maintenance.id,
      name: `Scheduled maintenance in ${reminderLabels[interval]}: ${maintenance.name}`,
      status: maintenance.status,
      impact: maintenance.impact,
      components: maintenance.components.map((c) => ({ name: c.name, status: c.status })),
      body: window ? `Window: ${window}` : "",
      incidentUrl: `${page.url}/incidents/${encodeURIComponent(maintenance.id)}`,
      manageUrl: `${page.url}${chatLinkPaths.manage(placeholder)}`,
      pageName: page.name,
    };
    const built: Partial<Record<ChatPlatform, string>> = {};
    return { of: (platform) => (built[platform] ??= JSON.stringify(incidentMessages[platform](view))) };
  }

  function templates(post: ChatPost) {
    const id = post.kind === "reminder" ? `reminder:${post.notificationId}` : post.updateId!;
    let entry = kept.get(id);
    if (!entry) {
      entry = post.kind === "reminder" ? reminderTemplates(post) : updateTemplates(post);
      const mine = entry;
      mine.catch(() => kept.get(id) === mine && kept.delete(id));
      kept.set(id, entry);
      if (kept.size > keptUpdates) kept.delete(kept.keys().next().value!);
    }
    return entry;
  }

  async function confirmationBody(post: ChatPost, channel: ChatChannel, now: number): Promise<PostBody> {
    if (channel.status !== "unconfirmed") return { ok: false, reason: `the channel is ${channel.status}` };
    const token = chatConfirmTokenMaker(await keyOf())(post.id);
    // Only the latest confirmation of a channel carries a working link; an older one still queued says nothing.
    if (channel.confirmTokenHash !== sha256HexSync(token)) {
      return { ok: false, reason: "a newer confirmation replaced this one" };
    }
    if (channel.confirmExpiresAt !== null && channel.confirmExpiresAt <= now) {
      return { ok: false, reason: "the confirmation link expired before it could be posted" };
    }
    const page = await loadPage(db, options.siteUrl);
    const followed = channel.allComponents
      ? null
      : (
          await db
            .select({ name: components.name })
            .from(chatChannelComponents)
            .innerJoin(components, eq(components.id, chatChannelComponents.componentId))
            .where(eq(chatChannelComponents.channelId, channel.id))
            .orderBy(components.position, components.name)
        ).map((c) => c.name);
    const message = confirmationMessages[channel.platform]({
      pageName: page.name,
      pageUrl: page.url,
      components: followed,
      confirmUrl: `${page.url}${chatLinkPaths.confirm(token)}`,
    });
    return { ok: true, body: JSON.stringify(message) };
  }

  return async function bodyOf(post: ChatPost, channel: ChatChannel, now: number): Promise<PostBody> {
    if (post.kind === "confirmation") return confirmationBody(post, channel, now);
    if (channel.status !== "active") return { ok: false, reason: `the channel is ${channel.status}` };
    const built = await templates(post);
    if ("error" in built) return { ok: false, reason: built.error };
    const body = built.of(channel.platform);
    // Staff manage a broadcast channel in the console; only a customer's channel has a manage page of its own.
    if (channel.purpose === "broadcast") {
      return { ok: true, body: body.split(chatLinkPaths.manage(placeholder)).join("/admin/channels") };
    }
    const token = chatChannelTokenMaker(await keyOf())(channel.id);
    return { ok: true, body: body.split(placeholder).join(token) };
  };
}
