import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { count, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { Db } from "@/db/client";
import * as schema from "@/db/schema";
import { createNotifier } from "@/api/notify/notifier";
import { createResendTransport } from "@/api/notify/resend-transport";
import type { Deps } from "@/api/services/deps";
import { openIncident } from "@/api/services/incidents";
import { seedDefaultPage } from "@/api/services/seed";
import { importSubscribers } from "@/api/services/subscriber-admin";
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
  let deps: Deps;

  beforeAll(async () => {
    d1 = await startD1();
    resend = await startFakeResend();
    deps = { db: drizzle(d1.db, { schema }) as unknown as Db, clock: Date.now };
    await seedDefaultPage(deps, "https://status.example.com");
  }, 30_000);

  afterAll(async () => {
    await resend?.close();
    await d1?.dispose();
  });

  it("imports them in one batch, and two senders deliver each email once", async () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => ({ email: `reader${i}@example.com` }));
    const report = await importSubscribers(deps, rows, true, new Set());
    expect(report.created).toBe(10_000);
    await openIncident(deps, { name: "Webtix down", status: "investigating", components: {}, notify: true });
    const [{ n }] = await deps.db.select({ n: count() }).from(schema.deliveries);
    expect(n).toBe(10_000);

    const sender = () =>
      createNotifier({
        ...deps,
        transport: createResendTransport({ apiKey: "re_test", baseUrl: resend.url, requestsPerSecond: 1000 }),
        leaseMs: 60_000,
      });
    const [a, b] = [sender(), sender()];
    a.wake();
    b.wake();
    await Promise.all([a.idle(), b.idle()]);
    expect(resend.accepted).toHaveLength(10_000);
    expect(new Set(resend.accepted.map((m) => m.to)).size).toBe(10_000);
    expect(resend.requests.filter((r) => r.path === "/emails/batch")).toHaveLength(100);
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
  }, 120_000);
});
