import { drizzle } from "drizzle-orm/d1";
import { afterEach, expect, it } from "vitest";
import type { Db } from "@/db/client";
import * as schema from "@/db/schema";
import { createResendTransport } from "@/api/notify/resend-transport";
import { createStaffAlertSender } from "@/api/notify/staff-alert-sender";
import { seedDefaultPage } from "@/api/services/seed";
import { listStaffAlerts, queueStaffAlert } from "@/api/services/staff-alerts";
import { listStaffDestinations, syncStaffEmails } from "@/api/services/staff-destinations";
import { startFakeResend } from "@/test/support/fake-resend";
import { loadRenderer } from "@/api/node-runtime";
import { readWorkerConfig } from "@/worker/env";
import { invocation, setUp } from "@/worker/runtime";
import { startD1 } from "./d1";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const targets = async (deps: { db: Db }) =>
  (await listStaffDestinations({ db: deps.db, clock: Date.now })).map((d) => `${d.source}:${d.target}`).sort();

// The staff alert outbox on D1 itself: the sync and the queueing are INSERT … SELECT over json_each and a batch.
it("STAFF_EMAILS syncs, one key is one alert, and two senders side by side send each email once", async () => {
  const d1 = await startD1();
  const resend = await startFakeResend();
  cleanups.push(
    () => d1.dispose(),
    () => resend.close(),
  );
  let now = Date.parse("2026-11-25T12:00:00Z");
  const deps = { db: drizzle(d1.db, { schema }) as unknown as Db, clock: () => now };
  await seedDefaultPage(deps, "https://status.example.com");
  // Two isolates starting at once run the same sync.
  const listed = ["ops@example.com", "oncall@example.com"];
  await Promise.all([syncStaffEmails(deps, listed), syncStaffEmails(deps, listed)]);
  await syncStaffEmails(deps, ["ops@example.com", "second@example.com"]);
  expect(await targets(deps)).toEqual(["config:ops@example.com", "config:second@example.com"]);

  const alert = { key: "heartbeat-late-nightly", kind: "heartbeat_late", subject: "Late", text: "No ping" };
  expect((await queueStaffAlert(deps, alert)).effects).toEqual({ wake: true });
  expect((await queueStaffAlert(deps, alert)).effects).toEqual({});

  const sender = () =>
    createStaffAlertSender({
      ...deps,
      transport: createResendTransport({ apiKey: "re_test", baseUrl: resend.url, requestsPerSecond: 1000 }),
    });
  const [a, b] = [sender(), sender()];
  a.wake();
  b.wake();
  await Promise.all([a.idle(), b.idle()]);
  now += 1000;
  expect(resend.accepted.map((m) => m.to).sort()).toEqual(["ops@example.com", "second@example.com"]);
  const [queued] = await listStaffAlerts(deps);
  expect(queued!.deliveries.map((d) => d.status)).toEqual(["sent", "sent"]);
}, 120_000);

it("a Workers isolate's setup makes STAFF_EMAILS destinations, as the Node start does", async () => {
  const d1 = await startD1();
  cleanups.push(() => d1.dispose());
  const env = {
    DB: d1.db,
    ADMIN_API_KEY: "a-worker-admin-key-0123-vq7w2kx9",
    EMAIL_TRANSPORT: "log",
    SITE_URL: "https://status.example.com",
  };
  const start = async (staffEmails: string | undefined) => {
    const config = readWorkerConfig({ ...env, STAFF_EMAILS: staffEmails });
    const run = invocation(config, await loadRenderer(), "test", "request");
    expect(await setUp(run, config, undefined)).toBe(true);
    return run.deps;
  };
  expect(await targets(await start("ops@example.com, oncall@example.com"))).toEqual([
    "config:oncall@example.com",
    "config:ops@example.com",
  ]);
  expect(await targets(await start(undefined))).toEqual([]);
}, 120_000);
