import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { SMTPServer } from "smtp-server";
import { deliveries, notifications } from "@/db/schema";
import { createNotifier } from "@/api/notify/notifier";
import { createSmtpTransport } from "@/api/notify/smtp-transport";
import { openIncident } from "@/api/services/incidents";
import { importSubscribers } from "@/api/services/subscribers";
import { makeApp } from "@/test/support/app";
import { expectStatus, type TestApp } from "@/test/support/factories";
import { waitUntil } from "@/test/support/wait";

let t: TestApp;
const cleanups: (() => Promise<void> | void)[] = [];
beforeEach(async () => {
  t = await makeApp();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await t.cleanup();
});

/** A real SMTP server on loopback that refuses every recipient the way Postfix does, naming the address. */
async function refusingSmtpServer() {
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS"],
    logger: false,
    onRcptTo(address, _session, callback) {
      const error = new Error(`5.1.1 <${address.address}>: Recipient address rejected: User unknown`);
      callback(Object.assign(error, { responseCode: 550 }));
    },
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  cleanups.push(() => new Promise<void>((ok) => server.close(() => ok())));
  return `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`;
}

type Progress = { errors: { status: string; error: string; count: number }[] }[];

describe("delivery errors as read keys see them", () => {
  it("a mail server's refusal naming the subscriber is stored and shown without the address", async () => {
    await importSubscribers(t.deps, [{ email: "jane.doe@example.org" }], true, new Set());
    await openIncident(t.deps, { name: "Webtix down", status: "investigating", components: {}, notify: true });
    const transport = createSmtpTransport({ url: await refusingSmtpServer() });
    const notifier = createNotifier({ ...t.deps, transport, backoffMs: 1 });
    cleanups.push(
      () => transport.close!(),
      () => notifier.stop(),
    );
    notifier.wake();
    await waitUntil(
      async () => (await t.deps.db.select().from(deliveries)).find((d) => d.status === "failed"),
      "the delivery to fail",
    );

    const [stored] = await t.deps.db.select().from(deliveries);
    expect(stored!.error).toContain("Recipient address rejected");
    expect(stored!.error).not.toContain("jane.doe");

    const shown = JSON.stringify(
      await expectStatus<Progress>(await t.call("GET", "/api/v1/notifications", undefined, { scope: "read" }), 200),
    );
    expect(shown).toContain("Recipient address rejected");
    expect(shown).not.toContain("jane.doe");
  });

  it("errors stored with addresses by an earlier version are shown without them, merged", async () => {
    await importSubscribers(t.deps, [{ email: "a@example.org" }, { email: "b@example.org" }], true, new Set());
    await openIncident(t.deps, { name: "Webtix down", status: "investigating", components: {}, notify: true });
    const rows = await t.deps.db.select().from(deliveries);
    for (const row of rows) {
      const error = `SMTP 550 5.1.1 <${row.email}>: Recipient address rejected`;
      await t.deps.db
        .update(deliveries)
        .set({ status: "failed", error })
        .where(eq(deliveries.subscriberId, row.subscriberId));
    }
    const [progress] = await expectStatus<Progress>(
      await t.call("GET", "/api/v1/notifications", undefined, { scope: "read" }),
      200,
    );
    expect(progress!.errors).toEqual([
      { status: "failed", error: "SMTP 550 5.1.1 <[address]>: Recipient address rejected", count: 2 },
    ]);
    expect(await t.deps.db.select().from(notifications)).toHaveLength(1);
  });
});
