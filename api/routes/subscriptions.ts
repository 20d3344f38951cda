import { Hono, type Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { AppError, errorBody, RateLimited } from "@/api/errors";
import { clientAddress } from "@/api/middleware/client-address";
import { readForm, readJson, validate } from "@/api/http";
import type { SubscriptionPageView } from "@/present/subscription-views";
import { ManageInput, SubscribeInput } from "@/api/schemas";
import { loadComponentTree, loadPage } from "@/api/services/read-model";
import { linkKey, verifySubscriberToken } from "@/api/services/subscriber-links";
import {
  admitSubscriptionRequest,
  chooseComponents,
  confirmSubscription,
  getSubscriber,
  pendingConfirmation,
  requestSubscription,
  unsubscribe,
} from "@/api/services/subscriptions";
import type { AppDeps } from "@/api/app";
import { commit } from "@/api/services/effects";
import { sameOrigin } from "@/api/middleware/admin-session";

const isForm = (c: Context) => /form/.test(c.req.header("content-type") ?? "");

/** The public side of subscriptions: the form, the confirmation link, one-click unsubscribe, the manage page. */
export function subscriptionRoutes(deps: AppDeps) {
  const page = async (
    c: Context,
    view: Omit<SubscriptionPageView, "page">,
    status: 200 | 202 | 400 | 403 | 404 | 422 | 429 = 200,
  ) => {
    const { html } = await deps.renderer.render("/subscription", {
      ...view,
      page: await loadPage(deps.db, deps.siteUrl),
    });
    return c.html(html, status, { "cache-control": "no-store", "referrer-policy": "no-referrer" });
  };
  const afterAnswer =
    deps.afterAnswer ??
    ((work: () => Promise<unknown>) =>
      setTimeout(
        () =>
          work().catch((e: unknown) => (deps.log ?? console.error)(`subscription failed: ${(e as Error)?.stack ?? e}`)),
        0,
      ));
  const notFoundPage = (c: Context) =>
    page(c, { title: "Link not valid", message: "This link is not valid, or it has expired." }, 404);
  const subscriberFrom = async (token: string) => {
    const id = await verifySubscriberToken(await linkKey(deps.db), token);
    return id ? getSubscriber(deps, id) : null;
  };
  /** A form that cannot be read gets a readable page; anything else goes on to the app's error handler. */
  const unreadableForm = (c: Context, title: string, error: unknown) => {
    if (isForm(c) && error instanceof AppError && error.code === "bad_request") {
      return page(c, { title, message: error.message }, 400);
    }
    throw error;
  };
  const formComponents = async (c: Context) => {
    const body = await readForm(c);
    const raw = body.components;
    return { body, components: (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map(String) };
  };

  // Per route, not `.use()`: these routes are mounted at "/", where a middleware would also cut other routes' bodies
  // (Resend's webhooks take up to 256 KB).
  const limit = bodyLimit({
    maxSize: 16 * 1024,
    onError: (c) => c.json(errorBody("payload_too_large", "Request bodies here are limited to 16 KB"), 413),
  });

  return (
    new Hono()
      .post("/subscribe", limit, async (c) => {
        const message =
          "If this address can receive our updates, a confirmation email is on its way. Check your inbox.";
        let admitted: SubscribeInput | undefined;
        try {
          const input = isForm(c)
            ? await formComponents(c).then(({ body, components }) =>
                validate(SubscribeInput, { email: body.email, components: components.length ? components : undefined }),
              )
            : await readJson(c, SubscribeInput);
          if (await admitSubscriptionRequest(deps, input, clientAddress(c), deps.subscribeLimits)) admitted = input;
        } catch (error) {
          if (!isForm(c) || !(error instanceof AppError)) throw error;
          if (error instanceof RateLimited) c.header("retry-after", String(error.retryAfterSeconds));
          const status = error.status === 429 || error.status === 400 ? error.status : 422;
          return page(c, { title: "Not subscribed", message: error.message }, status);
        }
        const answer = isForm(c)
          ? await page(c, { title: "Check your inbox", message }, 202)
          : c.json({ status: "pending", message }, 202);
        // Only once the answer is ready: whether the address is known changes the work done, never the time to answer.
        if (admitted) afterAnswer(() => commit(deps, requestSubscription(deps, admitted)));
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
        if (!fromThisSite(c, deps.siteUrl)) {
          const message = "This form did not come from this site. Open the link in the email again.";
          return page(c, { title: "Not confirmed", message }, 403);
        }
        let token = c.req.param("token");
        try {
          token ??= (await readForm(c)).token as string | undefined;
        } catch (error) {
          return unreadableForm(c, "Not confirmed", error);
        }
        const subscriber = typeof token === "string" ? await confirmSubscription(deps, token) : null;
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
        const tree = await loadComponentTree(deps.db);
        const groupName = new Map(tree.groups.map((g) => [g.id, g.name]));
        return page(c, {
          title: "Your subscription",
          message: `Choose the components ${subscriber.email} hears about, or stop all status emails.`,
          leave: { action: `/unsubscribe/${c.req.param("token")}`, button: "Unsubscribe from everything" },
          form: {
            action: c.req.path,
            button: "Save",
            choices: tree.components.map((comp) => ({
              id: comp.id,
              name: comp.name,
              group: comp.groupId ? (groupName.get(comp.groupId) ?? null) : null,
              checked: !subscriber.allComponents && subscriber.components.includes(comp.id),
            })),
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
  );
}

/**
 * The confirmation token is the capability; this only keeps other sites from posting it. The button page sends no
 * referrer, so browsers send `Origin: null` with its form: Sec-Fetch-Site, where sent, tells where the post came
 * from; otherwise an Origin naming another host is refused.
 */
function fromThisSite(c: Context, siteUrl?: string): boolean {
  const site = c.req.header("sec-fetch-site");
  if (site !== undefined) return site === "same-origin" || site === "none";
  const origin = c.req.header("origin");
  return origin === undefined || origin === "null" || sameOrigin(c, siteUrl);
}
