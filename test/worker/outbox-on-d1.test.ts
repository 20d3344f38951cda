import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { count, eq, isNotNull } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { Db } from "@/db/client";
import * as schema from "@/db/schema";
import { createNotifier } from "@/api/notify/notifier";
import { createResendTransport } from "@/api/notify/resend-transport";
import { type StaffDeps, systemActor } from "@/api/services/audit";
import { openIncident } from "@/api/services/incidents";
import { recipientSlice } from "@/api/services/outbox";
import { seedDefaultPage } from "@/api/services/seed";
import { importSubscribers } from "@/api/services/subscribers";
import { type FakeResend, startFakeResend } from "@/test/support/fake-resend";
import { startD1 } from "./d1";

/**
 * The notification path at full size on D1 itself, whose limits SQLite on Node does not have (100 bound parameters
 * per statement): 10,000 subscribers imported in one request, one incident, and two senders as two Workers
 * invocations would run them, side by side.
 */
describe("10,000 subscribers on D1", () => {
  let d1: Awaited<ReturnType<typeof startD1>>;
  let resend: FakeResend;
  let deps: StaffDeps;
  // The senders' leases and backoffs run on this clock, so the test moves time on instead of waiting for it.
  let now = Date.parse("2026-11-20T12:00:00Z");

  beforeAll(async () => {
    d1 = await startD1();
    resend = await startFakeResend();
    deps = { db: drizzle(d1.db, { schema }) as unknown as Db, clock: () => now, actor: systemActor("test") };
    await seedDefaultPage(deps, "https://status.example.com");
  }, 180_000);

  afterAll(async () => {
    await resend?.close();
    await d1?.dispose();
  });

  it("imports them in one batch, and two senders deliver each email once", async () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => ({ email: `reader${i}@example.com` }));
    const { value: report } = await importSubscribers(deps, rows, true, new Set());
    expect(report.created).toBe(10_000);
    await openIncident(deps, { name: "Webtix down", status: "investigating", components: {}, notify: true });
    // The write queues the first slice of recipients; the two senders queue the rest, racing for each slice.
    const [{ n }] = await deps.db.select({ n: count() }).from(schema.deliveries);
    expect(n).toBe(recipientSlice);

    const sender = () =>
      createNotifier({
        ...deps,
        transport: createResendTransport({ apiKey: "re_test", baseUrl: resend.url, requestsPerSecond: 1000 }),
        leaseMs: 60_000,
      });
    const [a, b] = [sender(), sender()];
    const pending = async () =>
      (await deps.db.select({ n: count() }).from(schema.deliveries).where(eq(schema.deliveries.status, "pending")))[0]!
        .n +
      (
        await deps.db
          .select({ n: count() })
          .from(schema.notifications)
          .where(isNotNull(schema.notifications.recipientsAfter))
      )[0]!.n;
    // Two invocations side by side, then, as the cron would, more runs until the outbox is empty: a chunk that
    // failed on a busy machine waits out its backoff as a lease, which the next run takes up once time has passed.
    for (let run = 0; run === 0 || ((await pending()) > 0 && run < 20); run++) {
      if (run > 0) now += 61_000;
      a.wake();
      b.wake();
      await Promise.all([a.idle(), b.idle()]);
    }
    expect(await pending()).toBe(0);
    expect(resend.accepted).toHaveLength(10_000);
    expect(new Set(resend.accepted.map((m) => m.to)).size).toBe(10_000);
    // Each chunk went out under one idempotency key, whichever sender sent it and however often it was retried.
    const batches = resend.requests.filter((r) => r.path === "/emails/batch");
    expect(new Set(batches.map((r) => r.idempotencyKey)).size).toBe(100);
    const sent = await deps.db
      .select({ n: count() })
      .from(schema.deliveries)
      .where(eq(schema.deliveries.status, "sent"));
    expect(sent[0]!.n).toBe(10_000);
    // Each recipient's provider id landed on its own row (one JSON parameter per chunk, not 100).
    const [one] = await deps.db
      .select()
      .from(schema.deliveries)
      .where(eq(schema.deliveries.email, "reader42@example.com"));
    expect(resend.accepted.find((m) => m.to === "reader42@example.com")?.id).toBe(one!.providerId);
  }, 600_000);
});
