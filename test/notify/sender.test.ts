import { afterEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { deliveries } from "@/db/schema";
import { createNotifier } from "@/api/notify/notifier";
import { createResendTransport } from "@/api/notify/resend-transport";
import { openIncident } from "@/api/services/incidents";
import { importSubscribers } from "@/api/services/subscribers";
import { makeDeps } from "@/test/support/deps";
import { type FakeResend, startFakeResend } from "@/test/support/fake-resend";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** 250 confirmed subscribers (three chunks of at most 100) and an incident that notifies them all. */
async function outboxOf250() {
  const env = await makeDeps();
  const resend = await startFakeResend();
  cleanups.push(env.cleanup, () => resend.close());
  const rows = Array.from({ length: 250 }, (_, i) => ({ email: `s${i}@example.com` }));
  await importSubscribers(env.deps, rows, true, new Set());
  await openIncident(env.deps, { name: "Webtix down", status: "investigating", components: {}, notify: true });
  return { ...env, resend };
}

/** A sender as the Workers runtime makes one per invocation: leases, and a deadline. */
function workerSender(
  env: Awaited<ReturnType<typeof outboxOf250>>,
  resend: FakeResend,
  deadline?: number,
  maxChunks?: number,
) {
  return createNotifier({
    ...env.deps,
    transport: createResendTransport({ apiKey: "re_test", baseUrl: resend.url, requestsPerSecond: 1000 }),
    leaseMs: 60_000,
    deadline,
    maxChunks,
    backoffMs: 1000,
  });
}

const statuses = async (env: Awaited<ReturnType<typeof outboxOf250>>) =>
  (await env.deps.db.select({ status: deliveries.status }).from(deliveries)).map((d) => d.status);

describe("the sender where several run at once (Workers)", () => {
  it("two senders draining the same outbox together send each chunk once", async () => {
    const env = await outboxOf250();
    env.resend.delayMs = 30;
    const [a, b] = [workerSender(env, env.resend), workerSender(env, env.resend)];
    a.wake();
    b.wake();
    await Promise.all([a.idle(), b.idle()]);
    expect(env.resend.accepted).toHaveLength(250);
    expect(new Set(env.resend.accepted.map((m) => m.to)).size).toBe(250);
    // Leases, not the provider's idempotency keys, kept them apart: three chunks, three requests.
    expect(env.resend.requests.filter((r) => r.path === "/emails/batch")).toHaveLength(3);
    expect(await statuses(env)).toEqual(Array(250).fill("sent"));
  });

  it("stops taking chunks at its deadline, and the next run resumes where it stopped", async () => {
    const env = await outboxOf250();
    const late = workerSender(env, env.resend, env.clock() - 1);
    late.wake();
    await late.idle();
    expect(env.resend.accepted).toHaveLength(0);
    const next = workerSender(env, env.resend, env.clock() + 60_000);
    next.wake();
    await next.idle();
    expect(env.resend.accepted).toHaveLength(250);
  });

  it("sends at most its share of chunks per run, and the next run sends the rest", async () => {
    const env = await outboxOf250();
    const first = workerSender(env, env.resend, undefined, 2);
    first.wake();
    await first.idle();
    expect(env.resend.accepted).toHaveLength(200);
    const second = workerSender(env, env.resend, undefined, 2);
    second.wake();
    await second.idle();
    expect(env.resend.accepted).toHaveLength(250);
    expect(new Set(env.resend.accepted.map((m) => m.to)).size).toBe(250);
  });

  it("a chunk the provider refused waits out its backoff as a lease, while the other chunks go out", async () => {
    const env = await outboxOf250();
    env.resend.failNextWith(500, { statusCode: 500, name: "internal_server_error", message: "Try again" });
    const first = workerSender(env, env.resend);
    first.wake();
    await first.idle();
    expect(env.resend.accepted).toHaveLength(150);
    const waiting = await env.deps.db.select().from(deliveries).where(eq(deliveries.status, "pending"));
    expect(waiting).toHaveLength(100);
    expect(waiting.every((d) => d.attempts === 1 && d.leaseUntil === env.clock() + 1000)).toBe(true);

    // Before the backoff has passed, another run leaves the chunk alone; after it, the chunk goes out once.
    const early = workerSender(env, env.resend);
    early.wake();
    await early.idle();
    expect(env.resend.accepted).toHaveLength(150);
    env.clock.advance(1000);
    const later = workerSender(env, env.resend);
    later.wake();
    await later.idle();
    expect(env.resend.accepted).toHaveLength(250);
    expect(new Set(env.resend.accepted.map((m) => m.to)).size).toBe(250);
  });
});
