import { and, eq, lt } from "drizzle-orm";
import { runAtomically, type Statement } from "@/db/client";
import { confirmationTokens, type Subscriber, subscriberComponents, subscribers } from "@/db/schema";
import { AppError } from "@/api/errors";
import { newId, sha256Hex } from "@/api/ids";
import type { SubscribeInput } from "@/api/schemas";
import { assertComponentsExist } from "./component-status";
import { confirmationStatements } from "./confirmations";
import type { Deps } from "./deps";
import { type Written, written } from "./effects";
import { withinRateLimit } from "./rate-limit";

const hour = 3600e3;

/** What a request led to: a confirmation email queued, or nothing sent (already subscribed, over a limit). */
export type SubscriptionRequest = "confirmation-queued" | "already-active" | "nothing-sent";

/**
 * Starts a double opt-in. The answer to the requester is the same whatever happens here, so the form never tells
 * whether an address is subscribed; what differs is only the email the address itself receives. Limits per address
 * and per client stop anyone from using the form to flood an inbox.
 */
export async function requestSubscription(
  deps: Deps,
  input: SubscribeInput,
  client: string,
): Promise<Written<SubscriptionRequest>> {
  const now = deps.clock();
  const components = [...new Set(input.components ?? [])];
  await assertComponentsExist(deps.db, components);
  if (!(await withinRateLimit(deps.db, `subscribe-client:${client}`, 20, hour, now))) {
    throw new AppError("rate_limited", "Too many subscription requests from here; try again in an hour");
  }
  // Over the per-address limit: accept quietly and send nothing, so that the answer reveals nothing either.
  if (!(await withinRateLimit(deps.db, `subscribe-address:${await sha256Hex(input.email)}`, 3, hour, now))) {
    return written("nothing-sent", {});
  }

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
