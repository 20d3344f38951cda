import { Hono } from "hono";
import { z } from "zod";
import { AppError, RateLimited } from "@/api/errors";
import { clientAddress } from "@/api/middleware/client-address";
import { readJson, validate } from "@/api/http";
import { ChatSubscribeInput, ManageInput, SubscribeInput } from "@/api/schemas";
import { linkKey, verifySubscriberToken } from "@/api/services/subscriber-links";
import {
  admitSubscriptionRequest,
  type ChatSubscription,
  chooseComponents,
  confirmSubscription,
  getSubscriber,
  pendingConfirmation,
  requestSubscription,
  unsubscribe,
} from "@/api/services/subscriptions";
import { chatSubscription, requestChatSubscription } from "@/api/services/chat-subscriptions";
import type { AppDeps } from "@/api/app";
import { commit } from "@/api/services/effects";
import { chatSubscriptionRoutes } from "./chat-subscriptions";
import { isForm, subscriptionPages } from "./subscription-pages";

type SubscribeRequest = { email: SubscribeInput; chat?: never } | { chat: ChatSubscription; email?: never };

/** An email address or a chat channel, never both: a body naming a channel is read as a chat subscription. */
function subscribeRequest(deps: AppDeps, data: Record<string, unknown>): SubscribeRequest {
  const chat = data.channel !== undefined || data.webhook_url !== undefined;
  if (chat && data.email !== undefined) {
    const message = "send either an email address or a chat channel, not both";
    throw new AppError("validation_failed", `channel: ${message}`, [{ path: "channel", message }]);
  }
  return chat
    ? { chat: chatSubscription(deps, validate(ChatSubscribeInput, data)) }
    : { email: validate(SubscribeInput, data) };
}

const answers = {
  email: {
    title: "Check your inbox",
    message: "If this address can receive our updates, a confirmation email is on its way. Check your inbox.",
  },
  chat: {
    title: "Check the channel",
    message:
      "If this channel can receive our messages, a confirmation message is on its way. Open it in the channel and press Confirm.",
  },
};

/** The public side of subscriptions: the form, the confirmation link, one-click unsubscribe, the manage page. */
export function subscriptionRoutes(deps: AppDeps) {
  const { page, notFoundPage, unreadableForm, formComponents, postedToken, componentChoices, limit } =
    subscriptionPages(deps);
  const afterAnswer =
    deps.afterAnswer ??
    ((work: () => Promise<unknown>) =>
      setTimeout(
        () =>
          work().catch((e: unknown) => (deps.log ?? console.error)(`subscription failed: ${(e as Error)?.stack ?? e}`)),
        0,
      ));
  const subscriberFrom = async (token: string) => {
    const id = await verifySubscriberToken(await linkKey(deps.db), token);
    return id ? getSubscriber(deps, id) : null;
  };

  return (
    new Hono()
      .post("/subscribe", limit, async (c) => {
        let request: SubscribeRequest | undefined;
        let admitted = false;
        try {
          const data = isForm(c)
            ? await formComponents(c).then(({ body, components }) => ({
                email: body.email,
                channel: body.channel,
                webhook_url: body.webhook_url,
                components: components.length ? components : undefined,
              }))
            : await readJson(c, z.looseObject({}));
          request = subscribeRequest(deps, data);
          admitted = await admitSubscriptionRequest(
            deps,
            request.email ?? request.chat,
            clientAddress(c),
            deps.subscribeLimits,
          );
        } catch (error) {
          if (!isForm(c) || !(error instanceof AppError)) throw error;
          if (error instanceof RateLimited) c.header("retry-after", String(error.retryAfterSeconds));
          const status = error.status === 429 || error.status === 400 ? error.status : 422;
          return page(c, { title: "Not subscribed", message: error.message }, status);
        }
        const { title, message } = request.chat ? answers.chat : answers.email;
        const answer = isForm(c) ? await page(c, { title, message }, 202) : c.json({ status: "pending", message }, 202);
        // Only once the answer is ready: whether the address or channel is known changes the work done, never the
        // time to answer.
        if (admitted) {
          const { email, chat } = request;
          afterAnswer(() =>
            chat ? commit(deps, requestChatSubscription(deps, chat)) : commit(deps, requestSubscription(deps, email)),
          );
        }
        return answer;
      })
      // Mail scanners follow links: the emailed link only shows a button, and the form it posts confirms.
      .get("/subscribe/confirm/:token", async (c) => {
        const subscriber = await pendingConfirmation(deps, c.req.param("token"));
        if (!subscriber) return notFoundPage(c);
        return page(c, {
          title: "Confirm your subscription",
          message: `Send status updates to ${subscriber.email}?`,
          form: {
            action: "/subscribe/confirm",
            button: "Confirm subscription",
            hidden: [{ name: "token", value: c.req.param("token") }],
          },
        });
      })
      .post("/subscribe/confirm/:token?", limit, async (c) => {
        const posted = await postedToken(c, "the email");
        if (posted instanceof Response) return posted;
        const subscriber = posted.token ? await confirmSubscription(deps, posted.token) : null;
        if (!subscriber) return notFoundPage(c);
        return page(c, {
          title: "Subscription confirmed",
          message: `${subscriber.email} will now receive status updates.`,
        });
      })
      .get("/unsubscribe/:token", async (c) => {
        const subscriber = await subscriberFrom(c.req.param("token"));
        if (!subscriber) return notFoundPage(c);
        return page(c, {
          title: "Unsubscribe",
          message: `Stop all status emails to ${subscriber.email}?`,
          form: { action: c.req.path, button: "Unsubscribe" },
        });
      })
      // RFC 8058: mail clients POST "List-Unsubscribe=One-Click" here; the button on the page posts here too.
      .post("/unsubscribe/:token", limit, async (c) => {
        const subscriber = await subscriberFrom(c.req.param("token"));
        if (!subscriber) return notFoundPage(c);
        await unsubscribe(deps, subscriber.id);
        return page(c, { title: "Unsubscribed", message: `${subscriber.email} will receive no more status emails.` });
      })
      .get("/manage/:token", async (c) => {
        const subscriber = await subscriberFrom(c.req.param("token"));
        if (!subscriber || subscriber.status !== "active") return notFoundPage(c);
        return page(c, {
          title: "Your subscription",
          message: `Choose the components ${subscriber.email} hears about, or stop all status emails.`,
          leave: { action: `/unsubscribe/${c.req.param("token")}`, button: "Unsubscribe from everything" },
          form: {
            action: c.req.path,
            button: "Save",
            choices: await componentChoices(subscriber),
          },
        });
      })
      .post("/manage/:token", limit, async (c) => {
        const subscriber = await subscriberFrom(c.req.param("token"));
        if (!subscriber || subscriber.status !== "active") return notFoundPage(c);
        let components: string[];
        try {
          components = isForm(c)
            ? (await formComponents(c)).components
            : ((await readJson(c, ManageInput)).components ?? []);
        } catch (error) {
          return unreadableForm(c, "Not saved", error);
        }
        await chooseComponents(deps, subscriber.id, components);
        return page(c, { title: "Saved", message: "Your choice of components is saved." });
      })
      .route("/", chatSubscriptionRoutes(deps))
  );
}
