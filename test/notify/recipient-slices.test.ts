import { afterEach, describe, expect, it } from "vitest";
import { asc, eq, inArray } from "drizzle-orm";
import { runAtomically } from "@/db/client";
import { components, deliveries, notifications, subscribers } from "@/db/schema";
import { createNotifier } from "@/api/notify/notifier";
import { createResendTransport } from "@/api/notify/resend-transport";
import { openIncident } from "@/api/services/incidents";
import { chunkSize, queueMoreRecipients, recipientSlice, recipientSliceStatements } from "@/api/services/outbox";
import { deliveryProgress, importSubscribers } from "@/api/services/subscribers";
import { makeDeps } from "@/test/support/deps";
import { startFakeResend } from "@/test/support/fake-resend";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/**
 * `count` subscribers of every component, every seventh of them unsubscribed (they must be skipped without
 * shortening a slice), and an incident about Webtix that notifies them.
 */
async function postedTo(count: number) {
  const env = await makeDeps();
  cleanups.push(env.cleanup);
  const { deps } = env;
  const rows = Array.from({ length: count }, (_, i) => ({ email: `s${String(i).padStart(5, "0")}@example.com` }));
  await importSubscribers(deps, rows, true, new Set());
  const all = await deps.db.select({ id: subscribers.id }).from(subscribers).orderBy(asc(subscribers.id));
  const gone = all.filter((_, i) => i % 7 === 3).map((s) => s.id);
  await deps.db.update(subscribers).set({ status: "unsubscribed" }).where(inArray(subscribers.id, gone));
  const audience = all.map((s) => s.id).filter((id) => !gone.includes(id));
  const [webtix] = await deps.db.select().from(components).where(eq(components.name, "Webtix"));
  const { value: incident } = await openIncident(deps, {
    name: "Webtix down",
    status: "investigating",
    components: { [webtix!.id]: "major_outage" },
    notify: true,
  });
  const [notification] = await deps.db.select().from(notifications).where(eq(notifications.incidentId, incident.id));
  const queued = () =>
    deps.db
      .select()
      .from(deliveries)
      .where(eq(deliveries.notificationId, notification!.id))
      .orderBy(asc(deliveries.subscriberId));
  const state = async () =>
    (await deps.db.select().from(notifications).where(eq(notifications.id, notification!.id)))[0]!;
  return { ...env, audience, notification: notification!, queued, state };
}

describe("recipients queued in slices", () => {
  it("queues the first slice in the write, the rest one slice per call, each recipient once in numbered chunks", async () => {
    const { deps, audience, queued, state } = await postedTo(2_700);
    expect(audience.length).toBeGreaterThan(2 * recipientSlice);
    // The write itself queued one slice, the first subscribers in order.
    expect((await queued()).map((d) => d.subscriberId)).toEqual(audience.slice(0, recipientSlice));
    expect(await state()).toMatchObject({
      recipientsQueued: recipientSlice,
      recipientsAfter: audience[recipientSlice - 1],
    });
    expect((await deliveryProgress(deps, 1))[0]).toMatchObject({ recipients: recipientSlice, queuing: true });

    let calls = 0;
    while (await queueMoreRecipients(deps.db, deps.clock())) calls++;
    expect(calls).toBe(Math.ceil(audience.length / recipientSlice) - 1);

    const rows = await queued();
    expect(rows.map((d) => d.subscriberId)).toEqual(audience);
    // Chunks 0, 1, 2, … in subscriber order, all full but the last: their content never depends on when it was queued.
    expect(rows.map((d) => d.chunk)).toEqual(audience.map((_, i) => Math.floor(i / chunkSize)));
    expect(rows.every((d) => d.status === "pending")).toBe(true);
    expect(await state()).toMatchObject({ recipientsQueued: audience.length, recipientsAfter: null });
    expect((await deliveryProgress(deps, 1))[0]).toMatchObject({ recipients: audience.length, queuing: false });
  });

  it("queues a slice once when two senders race for it with the same reading", async () => {
    const { deps, audience, notification, queued, state } = await postedTo(1_500);
    const reading = await state();
    const slice = () =>
      recipientSliceStatements(
        deps.db,
        { ...notification, recipientsAfter: reading.recipientsAfter!, recipientsQueued: reading.recipientsQueued },
        deps.clock(),
      );
    await runAtomically(deps.db, slice());
    await runAtomically(deps.db, slice());
    expect((await queued()).map((d) => d.subscriberId)).toEqual(audience);
    expect(await state()).toMatchObject({ recipientsQueued: audience.length, recipientsAfter: null });
  });

  it("reads each slice along the subscribers' primary key, never every active subscriber", async () => {
    const { deps, notification, state } = await postedTo(10);
    const reading = await state();
    const [insert] = recipientSliceStatements(
      deps.db,
      { ...notification, recipientsAfter: "", recipientsQueued: reading.recipientsQueued },
      deps.clock(),
    );
    const { sql, params } = (insert as unknown as { toSQL(): { sql: string; params: unknown[] } }).toSQL();
    const sqlite = (deps.db as unknown as { $client: import("better-sqlite3").Database }).$client;
    const plan = (sqlite.prepare(`explain query plan ${sql}`).all(...params) as { detail: string }[]).map(
      (r) => r.detail,
    );
    expect(plan.join("\n")).toMatch(/SEARCH s USING INDEX sqlite_autoindex_subscribers_1 \(id>\?\)/);
    expect(plan.join("\n")).not.toMatch(/subscribers_status_idx|TEMP B-TREE FOR ORDER BY/);
  });

  it("a notification that fits in one slice is whole after its write", async () => {
    const { queued, state, audience } = await postedTo(300);
    expect((await queued()).map((d) => d.subscriberId)).toEqual(audience);
    expect((await state()).recipientsAfter).toBeNull();
  });

  it("the sender queues the rest while it sends: every subscriber gets one email", async () => {
    const { deps, audience } = await postedTo(2_700);
    const resend = await startFakeResend();
    cleanups.push(() => resend.close());
    const notifier = createNotifier({
      ...deps,
      transport: createResendTransport({ apiKey: "re_test", baseUrl: resend.url, requestsPerSecond: 1000 }),
    });
    cleanups.push(() => notifier.stop());
    notifier.wake();
    await notifier.idle();
    const to = resend.accepted.map((e) => e.to);
    expect(to).toHaveLength(audience.length);
    expect(new Set(to).size).toBe(audience.length);
    expect((await deliveryProgress(deps, 1))[0]).toMatchObject({
      recipients: audience.length,
      sent: audience.length,
      queuing: false,
    });
  });
});
