import { Hono, type Context } from "hono";
import { readJson } from "@/api/http";
import { ManageInput } from "@/api/schemas";
import { chatPlatformLabels } from "@/api/chat/platforms";
import { confirmChatChannel, pendingChatConfirmation } from "@/api/services/chat-subscriptions";
import { chatSubscriberFromToken, chooseChatComponents, unsubscribeChatChannel } from "@/api/services/chat-subscribers";
import { commit } from "@/api/services/effects";
import type { ChatChannel } from "@/db/schema";
import type { AppDeps } from "@/api/app";
import { isForm, subscriptionPages } from "./subscription-pages";

/** How a page names a channel: its platform only. Its URL is the channel's secret and never shown. */
const channelName = (channel: Pick<ChatChannel, "platform">) => `this ${chatPlatformLabels[channel.platform]} channel`;

/**
 * The pages a chat channel's messages link to (tokens from api/services/chat-links.ts): confirm, manage, unsubscribe.
 * Chat apps fetch every link to unfurl it, so a GET only ever shows a page; each change is a POST from its button.
 */
export function chatSubscriptionRoutes(deps: AppDeps) {
  const { page, notFoundPage, unreadableForm, formComponents, postedToken, componentChoices, limit } =
    subscriptionPages(deps);
  const channelFrom = (c: Context) => chatSubscriberFromToken(deps, c.req.param("token") ?? "");

  return new Hono()
    .get("/chat/confirm/:token", async (c) => {
      const channel = await pendingChatConfirmation(deps, c.req.param("token"));
      if (!channel) return notFoundPage(c);
      return page(c, {
        title: "Confirm the channel",
        message: `Post status updates into ${channelName(channel)}?`,
        form: {
          action: "/chat/confirm",
          button: "Confirm channel",
          hidden: [{ name: "token", value: c.req.param("token") }],
        },
      });
    })
    .post("/chat/confirm/:token?", limit, async (c) => {
      const posted = await postedToken(c, "the channel");
      if (posted instanceof Response) return posted;
      const channel = posted.token ? await commit(deps, confirmChatChannel(deps, posted.token)) : null;
      if (!channel) return notFoundPage(c);
      return page(c, {
        title: "Channel confirmed",
        message: `Status updates will now be posted into ${channelName(channel)}.`,
      });
    })
    .get("/chat/unsubscribe/:token", async (c) => {
      const channel = await channelFrom(c);
      if (!channel) return notFoundPage(c);
      return page(c, {
        title: "Unsubscribe",
        message: `Stop all status updates to ${channelName(channel)}?`,
        form: { action: c.req.path, button: "Unsubscribe" },
      });
    })
    .post("/chat/unsubscribe/:token", limit, async (c) => {
      const channel = await channelFrom(c);
      if (!channel) return notFoundPage(c);
      await commit(deps, unsubscribeChatChannel(deps, channel.id));
      return page(c, {
        title: "Unsubscribed",
        message: `No more status updates will be posted into ${channelName(channel)}.`,
      });
    })
    .get("/chat/manage/:token", async (c) => {
      const channel = await channelFrom(c);
      if (!channel || channel.status !== "active") return notFoundPage(c);
      return page(c, {
        title: "Your channel's subscription",
        message: `Choose the components ${channelName(channel)} hears about, or stop all status updates.`,
        leave: { action: `/chat/unsubscribe/${c.req.param("token")}`, button: "Unsubscribe from everything" },
        form: {
          action: c.req.path,
          button: "Save",
          choices: await componentChoices(channel),
        },
      });
    })
    .post("/chat/manage/:token", limit, async (c) => {
      const channel = await channelFrom(c);
      if (!channel || channel.status !== "active") return notFoundPage(c);
      let components: string[];
      try {
        components = isForm(c)
          ? (await formComponents(c)).components
          : ((await readJson(c, ManageInput)).components ?? []);
      } catch (error) {
        return unreadableForm(c, "Not saved", error);
      }
      await commit(deps, chooseChatComponents(deps, channel.id, components));
      return page(c, { title: "Saved", message: "Your channel's choice of components is saved." });
    });
}
