import { join } from "node:path";
import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { runAtomically } from "@/db/client";
import { openNodeDb } from "@/db/node";
import { staffAlertDeliveries, staffDestinations } from "@/db/schema";
import { createNotifier } from "@/api/notify/notifier";
import { createResendTransport } from "@/api/notify/resend-transport";
import { createStaffAlertSender, staffAlertMaxAttempts } from "@/api/notify/staff-alert-sender";
import type { MailTransport } from "@/api/notify/transport";
import { createNodeOutbound } from "@/api/outbound/node-outbound";
import type { StaffDeps } from "@/api/services/audit";
import { listStaffAlerts, staffAlertStatements, type StaffAlertInput } from "@/api/services/staff-alerts";
import { createStaffDestination, syncStaffEmails } from "@/api/services/staff-destinations";
import { importSubscribers } from "@/api/services/subscribers";
import { createWebhookEndpoint } from "@/api/services/webhook-endpoints";
import { makeDeps } from "@/test/support/deps";
import { type FakeResend, startFakeResend } from "@/test/support/fake-resend";
import { waitUntil } from "@/test/support/wait";
import { type Answer, signatureValid, startWebhookReceiver } from "@/test/support/webhook-receiver";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const resendTransport = (resend: FakeResend) =>
  createResendTransport({ apiKey: "re_test", baseUrl: resend.url, requestsPerSecond: 1000 });

/**
 * A fresh database, a fake Resend, and a notifier whose staff alert retries wait 10 ms of the injected clock. The
 * receivers listen on 127.0.0.1, which only ALLOW_PRIVATE_WEBHOOKS lets through (`allowPrivate`).
 */
async function setup({ allowPrivate = true } = {}) {
  const env = await makeDeps();
  const deps: StaffDeps = { ...env.deps, outbound: createNodeOutbound({ allowPrivate }) };
  const resend = await startFakeResend();
  const notifier = createNotifier({ ...deps, transport: resendTransport(resend), staffAlertBackoffMs: 10 });
  cleanups.push(
    env.cleanup,
    () => resend.close(),
    () => notifier.stop(),
  );
  const queue = (alert: StaffAlertInput) => runAtomically(deps.db, staffAlertStatements(deps.db, alert, deps.clock()));
  const drain = async () => {
    notifier.wake();
    await notifier.idle();
  };
  return { ...env, deps, resend, notifier, queue, drain };
}

async function receiver(answers: Answer[] = [], otherwise = 200) {
  const r = await startWebhookReceiver(answers, otherwise);
  cleanups.push(r.close);
  return r;
}

const monitorDown: StaffAlertInput = {
  key: "monitor-down-tix1-1764072000000",
  kind: "monitor_down",
  subject: "[Ticketing] tix1 is down",
  text: "The HTTP monitor of tix1 failed 3 times: connection refused.",
  link: "https://status.example.com/admin",
};

describe("staff alerts are sent exactly once", () => {
  it("the same key queued twice is one alert, with one email per destination", async () => {
    const s = await setup();
    await syncStaffEmails(s.deps, ["ops@example.com", "oncall@example.com"]);
    await s.queue(monitorDown);
    await s.queue({ ...monitorDown, subject: "a second telling of the same event" });
    await s.drain();
    await s.queue(monitorDown);
    await s.drain();
    expect(s.resend.accepted.map((m) => m.to).sort()).toEqual(["oncall@example.com", "ops@example.com"]);
    for (const mail of s.resend.accepted) {
      expect(mail.subject).toBe("[Ticketing] tix1 is down");
      expect(mail.text).toContain("connection refused");
      expect(mail.text).toContain("https://status.example.com/admin");
      expect(mail.html).toContain("<pre>");
    }
    const alerts = await listStaffAlerts(s.deps);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.deliveries.map((d) => d.status)).toEqual(["sent", "sent"]);
    // Each email went with its delivery's id as the idempotency key.
    const keys = s.resend.requests.map((r) => r.idempotencyKey);
    expect(keys.sort()).toEqual(alerts[0]!.deliveries.map((d) => `marquee/staff/${d.id}`).sort());
  });

  it("an alert's recipients are fixed when it is queued: a destination added later does not get it", async () => {
    const s = await setup();
    await syncStaffEmails(s.deps, ["ops@example.com"]);
    await s.queue(monitorDown);
    await syncStaffEmails(s.deps, ["ops@example.com", "late@example.com"]);
    await s.drain();
    expect(s.resend.accepted.map((m) => m.to)).toEqual(["ops@example.com"]);
  });

  it("a pending alert left by a stopped server is sent by the next one on the same database file", async () => {
    const s = await setup();
    await syncStaffEmails(s.deps, ["ops@example.com"]);
    await s.queue(monitorDown);
    // Nothing was sent before the "crash": a second process opens the same file and sends it.
    const second = openNodeDb(join(s.dir, "marquee.db"));
    cleanups.push(second.close);
    const sender = createStaffAlertSender({ db: second.db, clock: s.clock, transport: resendTransport(s.resend) });
    sender.wake();
    await sender.idle();
    expect(s.resend.accepted.map((m) => m.to)).toEqual(["ops@example.com"]);
    expect((await listStaffAlerts(s.deps))[0]!.deliveries[0]!.status).toBe("sent");
  });

  it("an email sent just before a crash is not sent twice: the restarted sender uses the same idempotency key", async () => {
    const s = await setup();
    await syncStaffEmails(s.deps, ["ops@example.com"]);
    await s.queue(monitorDown);
    // The first process hands the email to Resend, then dies before it can mark the delivery sent.
    const real = resendTransport(s.resend);
    let handedOver = false;
    const dying: MailTransport = {
      name: "dying",
      requestsPerSecond: 1000,
      sendChunk: async (emails, key) => {
        await real.sendChunk(emails, key);
        handedOver = true;
        return new Promise(() => {});
      },
    };
    createStaffAlertSender({ ...s.deps, transport: dying }).wake();
    await waitUntil(() => handedOver, "the first process handed the email over");
    expect(s.resend.accepted).toHaveLength(1);

    const second = openNodeDb(join(s.dir, "marquee.db"));
    cleanups.push(second.close);
    const sender = createStaffAlertSender({ db: second.db, clock: s.clock, transport: real });
    // The dead process's claim runs out first.
    s.clock.advance(61_000);
    sender.wake();
    await sender.idle();
    expect(s.resend.accepted).toHaveLength(1);
    expect(s.resend.requests.filter((r) => r.path === "/emails/batch")).toHaveLength(2);
    expect((await listStaffAlerts(s.deps))[0]!.deliveries[0]).toMatchObject({ status: "sent", attempts: 1 });
  });
});

describe("staff webhooks", () => {
  it("receive the alert as signed JSON with the page's name and address", async () => {
    const s = await setup();
    const hook = await receiver();
    const { value: destination } = await createStaffDestination(s.deps, {
      kind: "webhook",
      target: hook.url,
      name: "on-call bot",
    });
    s.clock.set("2026-11-25T12:30:00Z");
    await s.queue(monitorDown);
    await s.drain();
    expect(hook.received).toHaveLength(1);
    const [r] = hook.received;
    expect(r!.json).toEqual({
      type: "staff_alert",
      kind: "monitor_down",
      subject: "[Ticketing] tix1 is down",
      text: "The HTTP monitor of tix1 failed 3 times: connection refused.",
      link: "https://status.example.com/admin",
      created_at: "2026-11-25T12:30:00.000Z",
      page: { name: expect.any(String), url: "https://status.example.com" },
    });
    expect(r!.headers["content-type"]).toBe("application/json");
    expect(signatureValid(destination.secret!, r!)).toBe(true);
    expect(signatureValid("some other secret", r!)).toBe(false);
    expect(r!.headers["x-marquee-delivery"]).toBe((await listStaffAlerts(s.deps))[0]!.deliveries[0]!.id);
  });

  it("a webhook to a private address is refused at send time without ALLOW_PRIVATE_WEBHOOKS, and nothing reaches it", async () => {
    const s = await setup({ allowPrivate: false });
    const hook = await receiver();
    // Stored behind the registration check's back (a name that has come to resolve to 127.0.0.1 since, say).
    await s.deps.db.insert(staffDestinations).values({
      id: "privatehook1",
      kind: "webhook",
      target: hook.url,
      source: "api",
      secret: "s3cret",
      createdAt: s.clock(),
    });
    await s.queue(monitorDown);
    await s.drain();
    expect(hook.received).toHaveLength(0);
    const [delivery] = (await listStaffAlerts(s.deps))[0]!.deliveries;
    expect(delivery).toMatchObject({ status: "pending", attempts: 1 });
    expect(delivery!.lastError).toMatch(/private|loopback|not allowed|refused/i);
  });

  it("a failing webhook is retried with growing waits, and after ten tries marked failed with its last error", async () => {
    const s = await setup();
    const hook = await receiver([], 503);
    await createStaffDestination(s.deps, { kind: "webhook", target: hook.url });
    await s.queue(monitorDown);
    const waits: number[] = [];
    for (let i = 0; i < staffAlertMaxAttempts + 2; i++) {
      await s.drain();
      const [row] = await s.deps.db.select().from(staffAlertDeliveries);
      if (row!.status !== "pending") break;
      waits.push(row!.nextAttemptAt - s.clock());
      s.clock.advance(row!.nextAttemptAt - s.clock());
    }
    expect(hook.received).toHaveLength(staffAlertMaxAttempts);
    expect(waits.slice(0, 4)).toEqual([10, 20, 40, 80]);
    const [delivery] = (await listStaffAlerts(s.deps))[0]!.deliveries;
    expect(delivery).toMatchObject({ status: "failed", attempts: 10, lastError: "answered 503" });
  });

  it("a webhook answering 429 is tried again after its Retry-After, then lands once", async () => {
    const s = await setup();
    const hook = await receiver([{ status: 429, headers: { "retry-after": "120" } }]);
    await createStaffDestination(s.deps, { kind: "webhook", target: hook.url });
    await s.queue(monitorDown);
    await s.drain();
    const [row] = await s.deps.db.select().from(staffAlertDeliveries);
    expect(row).toMatchObject({ status: "pending", lastError: "answered 429" });
    expect(row!.nextAttemptAt - s.clock()).toBe(120_000);
    s.clock.advance(119_999);
    await s.drain();
    expect(hook.received).toHaveLength(1);
    s.clock.advance(1);
    await s.drain();
    expect(hook.received).toHaveLength(2);
    expect((await listStaffAlerts(s.deps))[0]!.deliveries[0]).toMatchObject({ status: "sent", attempts: 2 });
  });

  it("a webhook answering 410 Gone is disabled with the reason, and later alerts skip it", async () => {
    const s = await setup();
    const hook = await receiver([410]);
    const { value: destination } = await createStaffDestination(s.deps, { kind: "webhook", target: hook.url });
    await s.queue(monitorDown);
    await s.drain();
    const [row] = await s.deps.db.select().from(staffDestinations).where(eq(staffDestinations.id, destination.id));
    expect(row).toMatchObject({ disabledReason: "answered 410 Gone" });
    expect(row!.disabledAt).not.toBeNull();
    await s.queue({ ...monitorDown, key: "monitor-up-tix1" });
    await s.drain();
    expect(hook.received).toHaveLength(1);
    const alerts = await listStaffAlerts(s.deps);
    expect(alerts.find((a) => a.key === "monitor-up-tix1")!.deliveries).toEqual([]);
    expect(alerts.find((a) => a.key === monitorDown.key)!.deliveries[0]).toMatchObject({ status: "failed" });
  });
});

describe("staff email failures", () => {
  it("a refused email is retried once Resend takes it again; one it calls invalid fails at once", async () => {
    const s = await setup();
    await syncStaffEmails(s.deps, ["ops@example.com"]);
    s.resend.failNextWith(500);
    await s.queue(monitorDown);
    await s.drain();
    expect(s.resend.accepted).toHaveLength(0);
    s.clock.advance(10);
    await s.drain();
    expect(s.resend.accepted).toHaveLength(1);

    s.resend.failNextWith(422, { statusCode: 422, name: "validation_error", message: "Invalid `to` field" });
    await s.queue({ ...monitorDown, key: "another" });
    await s.drain();
    const failed = (await listStaffAlerts(s.deps)).find((a) => a.key === "another")!.deliveries[0];
    expect(failed).toMatchObject({ status: "failed", attempts: 1 });
    expect(failed!.lastError).toContain("Invalid `to` field");
  });
});

describe("staff alerts never reach subscribers", () => {
  it("an active subscriber and a subscriber webhook get nothing; the staff get the alert", async () => {
    const s = await setup();
    await importSubscribers(s.deps, [{ email: "reader@example.com" }], true);
    const subscriberHook = await receiver();
    await createWebhookEndpoint(s.deps, { url: subscriberHook.url });
    await syncStaffEmails(s.deps, ["ops@example.com"]);
    await s.queue(monitorDown);
    await s.drain();
    expect(s.resend.accepted.map((m) => m.to)).toEqual(["ops@example.com"]);
    expect(subscriberHook.received).toHaveLength(0);
  });
});
