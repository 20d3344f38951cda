import { afterEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { confirmationEmails, subscribers } from "@/db/schema";
import { createNotifier } from "@/api/notify/notifier";
import { createResendTransport } from "@/api/notify/resend-transport";
import { confirmSubscription } from "@/api/services/subscriptions";
import { importSubscribers } from "@/api/services/subscribers";
import { makeDeps } from "@/test/support/deps";
import { startFakeResend } from "@/test/support/fake-resend";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** `count` imported addresses that still have to opt in, their confirmations queued, and a fake Resend. */
async function unconfirmed(count: number) {
  const env = await makeDeps();
  const resend = await startFakeResend();
  cleanups.push(env.cleanup, () => resend.close());
  const rows = Array.from({ length: count }, (_, i) => ({ email: `reader${i}@example.com` }));
  // The import queues their confirmations in the same write.
  await importSubscribers(env.deps, rows, false);
  const notifier = createNotifier({
    ...env.deps,
    transport: createResendTransport({ apiKey: "re_test", baseUrl: resend.url, requestsPerSecond: 1000 }),
    backoffMs: 1000,
  });
  return { ...env, resend, notifier };
}

const linkIn = (html: string) => html.match(/\/subscribe\/confirm\/([0-9a-f]+)/)![1]!;

describe("confirmation emails go through the outbox", () => {
  it("an import's addresses each get one confirmation, in chunks of 100, whose link confirms", async () => {
    const env = await unconfirmed(250);
    env.notifier.wake();
    await env.notifier.idle();
    expect(env.resend.accepted).toHaveLength(250);
    expect(new Set(env.resend.accepted.map((m) => m.to)).size).toBe(250);
    const batches = env.resend.requests.filter((r) => r.path === "/emails/batch");
    expect(new Set(batches.map((r) => r.idempotencyKey)).size).toBe(3);
    const mail = env.resend.accepted.find((m) => m.to === "reader7@example.com")!;
    const confirmed = await confirmSubscription(env.deps, linkIn(mail.html!));
    expect(confirmed).toMatchObject({ email: "reader7@example.com", status: "active" });
  });

  it("never stores a link's token in clear", async () => {
    const env = await unconfirmed(3);
    env.notifier.wake();
    await env.notifier.idle();
    const dump = JSON.stringify(await env.deps.db.select().from(confirmationEmails));
    for (const mail of env.resend.accepted) expect(dump).not.toContain(linkIn(mail.html!));
  });

  it("a refused chunk waits out its backoff, then goes once with the same idempotency key", async () => {
    const env = await unconfirmed(5);
    env.resend.failNextWith(500, { statusCode: 500, name: "internal_server_error", message: "Try again" });
    env.notifier.wake();
    await env.notifier.idle();
    expect(env.resend.accepted).toHaveLength(0);
    const [row] = await env.deps.db.select().from(confirmationEmails).limit(1);
    expect(row).toMatchObject({ status: "pending", attempts: 1, error: expect.stringContaining("Try again") });
    // Before the backoff is over, a wake sends nothing; after it, the chunk goes.
    env.notifier.wake();
    await env.notifier.idle();
    expect(env.resend.accepted).toHaveLength(0);
    env.clock.advance(1_000);
    env.notifier.wake();
    await env.notifier.idle();
    expect(env.resend.accepted).toHaveLength(5);
    const keys = env.resend.requests.filter((r) => r.path === "/emails/batch").map((r) => r.idempotencyKey);
    expect(new Set(keys).size).toBe(1);
    const rows = await env.deps.db.select().from(confirmationEmails);
    expect(rows.map((r) => r.status)).toEqual(Array(5).fill("sent"));
  });

  it("a Workers invocation past its deadline takes no chunk, and the next run sends them", async () => {
    const env = await unconfirmed(150);
    const invocation = (deadline: number) =>
      createNotifier({
        ...env.deps,
        transport: createResendTransport({ apiKey: "re_test", baseUrl: env.resend.url, requestsPerSecond: 1000 }),
        leaseMs: 60_000,
        deadline,
      });
    const late = invocation(env.clock());
    late.wake();
    await late.idle();
    expect(env.resend.accepted).toHaveLength(0);
    const next = invocation(env.clock() + 50_000);
    next.wake();
    await next.idle();
    expect(env.resend.accepted).toHaveLength(150);
  });

  it("a subscriber removed before the send gets no email", async () => {
    const env = await unconfirmed(2);
    await env.deps.db.delete(subscribers).where(eq(subscribers.email, "reader0@example.com"));
    env.notifier.wake();
    await env.notifier.idle();
    expect(env.resend.accepted.map((m) => m.to)).toEqual(["reader1@example.com"]);
  });
});
