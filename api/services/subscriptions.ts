import { and, eq, lt } from "drizzle-orm";
import { runAtomically, type Statement } from "@/db/client";
import { confirmationTokens, type Subscriber, subscriberComponents, subscribers } from "@/db/schema";
import { RateLimited } from "@/api/errors";
import { clientKey } from "@/api/ip-address";
import { newId, sha256Hex } from "@/api/ids";
import type { SubscribeInput } from "@/api/schemas";
import type { ChatPlatform } from "@/db/vocabulary";
import { assertComponentsExist } from "./component-status";
import { confirmationStatements } from "./confirmations";
import type { Deps } from "./deps";
import { type Written, written } from "./effects";
import { hitRateLimit, withinRateLimit } from "./rate-limit";

const hour = 3600e3;

/** What a request led to: a confirmation email queued, or nothing sent (already subscribed, suppressed). */
export type SubscriptionRequest = "confirmation-queued" | "already-active" | "nothing-sent";

/** How much the public form may ask of Marquee. */
export type SubscribeLimits = {
  /** Requests one client (an IPv4 address, an IPv6 /64) may make in an hour. */
  perClient: number;
  /** Confirmation emails one address (plus-tags removed) may be sent in an hour. */
  perAddress: number;
  /** Confirmation emails the whole page may queue in an hour, however many clients ask: no mail cannon. */
  perPage: number;
  /** Requests one chat channel may be named in an hour: each may post a confirmation message into it. */
  perChannel: number;
};

export const defaultSubscribeLimits: SubscribeLimits = { perClient: 20, perAddress: 3, perPage: 200, perChannel: 1 };

/** A chat channel asking to subscribe, its URL checked and written as it will be stored (chat-subscriptions.ts). */
export type ChatSubscription = { platform: ChatPlatform; url: string; components: string[] };

/**
 * The key of the per-address limit: one inbox however its address is spelled. `victim+1@` and `Victim+2@` reach the
 * same mailbox at most providers. Only the key: the address stored and written to stays as given.
 */
export function addressLimitKey(email: string): string {
  const at = email.lastIndexOf("@");
  const local = email.slice(0, at).replace(/\+.*$/, "");
  return `${local}@${email.slice(at + 1)}`.toLowerCase();
}

/**
 * The part of a subscription request that does not depend on whether the address is known, so that it costs the
 * same for every address: the components exist, and the limits. A client over its limit, or the page over its
 * hourly cap, gets RateLimited. False when the address was asked for too often this hour: the requester is answered
 * as usual and nothing is sent, so that the answer reveals nothing either. True: `requestSubscription` may follow,
 * after the answer.
 */
export async function admitSubscriptionRequest(
  deps: Deps,
  input: SubscribeInput | ChatSubscription,
  client: string,
  limits: SubscribeLimits = defaultSubscribeLimits,
): Promise<boolean> {
  const now = deps.clock();
  await assertComponentsExist(deps.db, [...new Set(input.components ?? [])]);
  const fromClient = await hitRateLimit(deps.db, `subscribe-client:${clientKey(client)}`, limits.perClient, hour, now);
  if (!fromClient.allowed) {
    throw new RateLimited("Too many subscription requests from here; try again later", fromClient.retryAfterSeconds);
  }
  const chat = "platform" in input;
  // A chat channel gets one confirmation message an hour at most, however often the form names it: no chat cannon.
  const [targetKey, perTarget] = chat
    ? [`subscribe-chat:${await sha256Hex(`${input.platform} ${input.url}`)}`, limits.perChannel]
    : [`subscribe-address:${await sha256Hex(addressLimitKey(input.email))}`, limits.perAddress];
  if (!(await withinRateLimit(deps.db, targetKey, perTarget, hour, now))) return false;
  const page = await hitRateLimit(deps.db, chat ? "subscribe-page-chat" : "subscribe-page", limits.perPage, hour, now);
  if (!page.allowed) {
    const sent = chat ? "confirmation messages" : "confirmation emails";
    throw new RateLimited(
      `This page has sent all the ${sent} it may this hour; try again later`,
      page.retryAfterSeconds,
    );
  }
  return true;
}

/**
 * Starts a double opt-in for an admitted request: queues the confirmation email, or does nothing when the address is
 * already subscribed or suppressed. Runs after the requester has been answered (see the route), so how long this
 * takes tells nobody whether the address is subscribed; what differs is only the email the address itself receives.
 */
export async function requestSubscription(deps: Deps, input: SubscribeInput): Promise<Written<SubscriptionRequest>> {
  const now = deps.clock();
  const components = [...new Set(input.components ?? [])];
  const [existing] = await deps.db.select().from(subscribers).where(eq(subscribers.email, input.email));
  if (existing?.status === "active") return written("already-active", {});
  if (existing?.status === "suppressed") return written("nothing-sent", {});

  const id = existing?.id ?? newId();
  const statements: Statement[] = [
    existing
      ? deps.db
          .update(subscribers)
          .set({ status: "unconfirmed", allComponents: components.length === 0, updatedAt: now })
          .where(eq(subscribers.id, id))
      : deps.db.insert(subscribers).values({
          id,
          email: input.email,
          status: "unconfirmed",
          allComponents: components.length === 0,
          createdAt: now,
          updatedAt: now,
        }),
    ...componentStatements(deps, id, components),
    deps.db.delete(confirmationTokens).where(lt(confirmationTokens.expiresAt, now)),
    ...(await confirmationStatements(deps, [{ id, email: input.email }])),
  ];
  await runAtomically(deps.db, statements);
  return written("confirmation-queued", { wake: true });
}

function componentStatements(deps: Deps, subscriberId: string, components: string[]): Statement[] {
  return [
    deps.db.delete(subscriberComponents).where(eq(subscriberComponents.subscriberId, subscriberId)),
    ...components.map((componentId) => deps.db.insert(subscriberComponents).values({ subscriberId, componentId })),
  ];
}

/**
 * Who a confirmation token would confirm, changing nothing: the link in the email only shows a button, since mail
 * scanners follow links. Unknown, used and expired tokens give null.
 */
export async function pendingConfirmation(deps: Deps, token: string): Promise<Subscriber | null> {
  const tokenHash = await sha256Hex(token);
  const [row] = await deps.db.select().from(confirmationTokens).where(eq(confirmationTokens.tokenHash, tokenHash));
  if (!row || row.expiresAt < deps.clock()) return null;
  const [subscriber] = await deps.db.select().from(subscribers).where(eq(subscribers.id, row.subscriberId));
  return subscriber ?? null;
}

/** Confirms the subscription a token names. Unknown, used and expired tokens give null and change nothing. */
export async function confirmSubscription(deps: Deps, token: string): Promise<Subscriber | null> {
  const now = deps.clock();
  const tokenHash = await sha256Hex(token);
  const [row] = await deps.db.select().from(confirmationTokens).where(eq(confirmationTokens.tokenHash, tokenHash));
  if (!row || row.expiresAt < now) return null;
  await runAtomically(deps.db, [
    deps.db
      .update(subscribers)
      .set({ status: "active", confirmedAt: now, updatedAt: now })
      .where(and(eq(subscribers.id, row.subscriberId), eq(subscribers.status, "unconfirmed"))),
    deps.db.delete(confirmationTokens).where(eq(confirmationTokens.subscriberId, row.subscriberId)),
  ]);
  const [subscriber] = await deps.db.select().from(subscribers).where(eq(subscribers.id, row.subscriberId));
  return subscriber ?? null;
}

export async function getSubscriber(deps: Deps, id: string) {
  const [subscriber] = await deps.db.select().from(subscribers).where(eq(subscribers.id, id));
  if (!subscriber) return null;
  const chosen = await deps.db
    .select({ id: subscriberComponents.componentId })
    .from(subscriberComponents)
    .where(eq(subscriberComponents.subscriberId, id));
  return { ...subscriber, components: chosen.map((c) => c.id) };
}

/** Stops every email to this subscriber at once (RFC 8058 one-click, the unsubscribe button, or staff). */
export async function unsubscribe(deps: Deps, id: string): Promise<void> {
  const now = deps.clock();
  await deps.db
    .update(subscribers)
    .set({ status: "unsubscribed", updatedAt: now })
    .where(and(eq(subscribers.id, id), eq(subscribers.status, "active")));
}

/** Changes which components a subscriber follows: an empty list means all of them. */
export async function chooseComponents(deps: Deps, id: string, components: string[]): Promise<void> {
  const unique = [...new Set(components)];
  await assertComponentsExist(deps.db, unique);
  await runAtomically(deps.db, [
    deps.db
      .update(subscribers)
      .set({ allComponents: unique.length === 0, updatedAt: deps.clock() })
      .where(eq(subscribers.id, id)),
    ...componentStatements(deps, id, unique),
  ]);
}
