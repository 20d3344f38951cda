import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { AppError, errorBody } from "@/api/errors";
import { readForm } from "@/api/http";
import { sameOrigin } from "@/api/middleware/admin-session";
import type { SubscriptionPageView } from "@/present/subscription-views";
import { loadComponentTree, loadPage } from "@/api/services/read-model";
import type { AppDeps } from "@/api/app";

export const isForm = (c: Context) => /form/.test(c.req.header("content-type") ?? "");

/** What the email and the chat subscription routes share: their pages, form reading and body limit. */
export function subscriptionPages(deps: AppDeps) {
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
  const notFoundPage = (c: Context) =>
    page(c, { title: "Link not valid", message: "This link is not valid, or it has expired." }, 404);
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
  /**
   * The token a confirmation form posts, in its path or its body; or the page that refuses the post, when it came
   * from another site or cannot be read. `from` names where the link was: "the email", "the channel".
   */
  const postedToken = async (c: Context, from: string): Promise<{ token?: string } | Response> => {
    if (!fromThisSite(c, deps.siteUrl)) {
      const message = `This form did not come from this site. Open the link in ${from} again.`;
      return page(c, { title: "Not confirmed", message }, 403);
    }
    try {
      const token = c.req.param("token") ?? (await readForm(c)).token;
      return { token: typeof token === "string" ? token : undefined };
    } catch (error) {
      return unreadableForm(c, "Not confirmed", error);
    }
  };
  /** The manage page's checkboxes: every component, checked when a subscriber who chose some follows it. */
  const componentChoices = async (follower: { allComponents: boolean; components: string[] }) => {
    const tree = await loadComponentTree(deps.db);
    const groupName = new Map(tree.groups.map((g) => [g.id, g.name]));
    return tree.components.map((comp) => ({
      id: comp.id,
      name: comp.name,
      group: comp.groupId ? (groupName.get(comp.groupId) ?? null) : null,
      checked: !follower.allComponents && follower.components.includes(comp.id),
    }));
  };
  return { page, notFoundPage, unreadableForm, formComponents, postedToken, componentChoices, limit };
}

/**
 * The confirmation token is the capability; this only keeps other sites from posting it. The button page sends no
 * referrer, so browsers send `Origin: null` with its form: Sec-Fetch-Site, where sent, tells where the post came
 * from; otherwise an Origin naming another host is refused.
 */
export function fromThisSite(c: Context, siteUrl?: string): boolean {
  const site = c.req.header("sec-fetch-site");
  if (site !== undefined) return site === "same-origin" || site === "none";
  const origin = c.req.header("origin");
  return origin === undefined || origin === "null" || sameOrigin(c, siteUrl);
}
