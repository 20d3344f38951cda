import { Hono, type Context } from "hono";
import type { AdminEnv } from "@/api/middleware/admin-session";
import { deleteSubscriber, listSubscribers } from "@/api/services/subscribers";
import { deleteChatSubscriber, listChatSubscribers } from "@/api/services/chat-subscribers";
import { chatPlatformLabels } from "@/api/chat/platforms";
import { maskWebhookUrl } from "@/present/mask-url";
import { subscriberStatuses } from "@/db/vocabulary";
import type { AdminSubscribersView, FormError, SubscriberStatus } from "@/present/admin-views";
import type { AppDeps } from "@/api/app";
import { staff } from "../staff";
import type { ConsoleKit } from "./kit";

const perPage = 50;
/** Deep enough for any list this page is asked for; a search narrows it faster than paging does. */
const maxOffset = 1_000_000;

/**
 * The list's search and page to go back to after a removal: only those fields, rebuilt, so the posted value can
 * neither point elsewhere nor put anything else in the URL.
 */
function backTo(posted: unknown): string {
  const from = new URLSearchParams(typeof posted === "string" ? posted.slice(0, 600) : "");
  const kept = new URLSearchParams();
  for (const name of ["search", "status", "offset", "chat_offset"]) {
    const value = from.get(name);
    if (value) kept.set(name, value);
  }
  const query = kept.toString();
  return query ? `${query}&` : "";
}

/**
 * Subscribers (admin scope, as in the API): searched by address and paged, shown with their status; below them the
 * customers' chat channels, paged on their own. Their tokens, manage links and webhook URLs are never put on the page.
 */
export function subscriberRoutes(deps: AppDeps, kit: ConsoleKit) {
  const show = async (c: Context<AdminEnv>, status: 200 | 404 | 409 | 422, error: FormError = null) => {
    // A malformed query is read as the nearest sensible one rather than refused: this is a page to read.
    const search = (c.req.query("search") ?? "").trim().slice(0, 254);
    const wanted = c.req.query("status");
    const state = subscriberStatuses.find((s) => s === wanted) ?? null;
    const offsetOf = (name: string) => Math.min(Math.max(Math.floor(Number(c.req.query(name)) || 0), 0), maxOffset);
    const offset = offsetOf("offset");
    const chatOffset = offsetOf("chat_offset");
    const { total, subscribers } = await listSubscribers(deps, {
      search: search || undefined,
      status: state ?? undefined,
      limit: perPage,
      offset,
    });
    const chat = await listChatSubscribers(deps, { limit: perPage, offset: chatOffset });
    const query = (at: number, chatAt = chatOffset) =>
      new URLSearchParams({
        ...(search && { search }),
        ...(state && { status: state }),
        offset: String(at),
        ...(chatAt > 0 && { chat_offset: String(chatAt) }),
      }).toString();
    const view: AdminSubscribersView = {
      ...(await kit.chrome(c)),
      error,
      search,
      status: state as SubscriberStatus | null,
      total,
      offset,
      rows: subscribers.map((s) => ({
        id: s.id,
        email: s.email,
        status: s.status,
        createdAt: s.createdAt,
        confirmedAt: s.confirmedAt,
        components: s.allComponents ? "all" : s.components.length,
      })),
      chat: {
        total: chat.total,
        offset: chatOffset,
        rows: chat.channels.map((ch) => ({
          id: ch.id,
          platform: chatPlatformLabels[ch.platform],
          maskedUrl: maskWebhookUrl(ch.url),
          status: ch.status,
          createdAt: ch.createdAt,
          components: ch.allComponents ? "all" : ch.components.length,
          disabledReason: ch.disabledReason,
        })),
        previousQuery: chatOffset > 0 ? query(offset, Math.max(chatOffset - perPage, 0)) : null,
        nextQuery: chatOffset + perPage < chat.total ? query(offset, chatOffset + perPage) : null,
      },
      query: query(offset),
      previousQuery: offset > 0 ? query(Math.max(offset - perPage, 0)) : null,
      nextQuery: offset + perPage < total ? query(offset + perPage) : null,
    };
    return kit.render(c, "/admin/subscribers", view, status);
  };

  return new Hono<AdminEnv>()
    .use("/subscribers", kit.requireAdmin)
    .use("/subscribers/*", kit.requireAdmin)
    .get("/subscribers", (c) => show(c, 200))
    .post("/subscribers/:id/remove", async (c) =>
      kit.act(
        c,
        `subscriber:${c.req.param("id")}`,
        () => deleteSubscriber(staff(c, deps), c.req.param("id")),
        `/admin/subscribers?${backTo((await kit.body(c)).back)}flash=subscriber-removed`,
        show,
      ),
    )
    .post("/subscribers/chat/:id/remove", async (c) =>
      kit.act(
        c,
        `chat-channel:${c.req.param("id")}`,
        () => deleteChatSubscriber(staff(c, deps), c.req.param("id")),
        `/admin/subscribers?${backTo((await kit.body(c)).back)}flash=chat-channel-removed`,
        show,
      ),
    );
}
