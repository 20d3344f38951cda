import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { openNodeDb } from "@/db/node";
import { deliveries, maintenanceRemindersDone, notifications } from "@/db/schema";
import { createIncidentComposer } from "@/api/notify/incident-composer";
import { listComponents } from "@/api/services/components";
import { editMaintenance } from "@/api/services/maintenance-edits";
import { cancelMaintenance, startMaintenance } from "@/api/services/maintenance-actions";
import { reminderInWindow, sendDueReminders } from "@/api/services/maintenance-reminders";
import { type OneMaintenance, scheduleMaintenance } from "@/api/services/maintenances";
import { loadIncident } from "@/api/services/read-model";
import { importSubscribers } from "@/api/services/subscribers";
import { makeDeps } from "@/test/support/deps";
import { racingPair } from "@/test/support/racing";

let env: Awaited<ReturnType<typeof makeDeps>>;
beforeEach(async () => {
  env = await makeDeps();
});
afterEach(() => env.cleanup());

const hour = 3_600_000;
// The test clock starts at 2026-11-25T12:00:00Z; the page's zone is UTC. The window is three days and one hour ahead.
const start = Date.parse("2026-11-28T13:00:00Z");

async function componentId(name: string) {
  return (await listComponents(env.deps)).find((c) => c.name === name)!.id;
}

/** Webtix's subscriber, Wintix's subscriber, and one who follows everything. */
async function subscribers() {
  const [webtix, wintix] = [await componentId("Webtix"), await componentId("Wintix")];
  const rows = [
    { email: "webtix@example.com", components: [webtix] },
    { email: "wintix@example.com", components: [wintix] },
    { email: "all@example.com" },
  ];
  await importSubscribers(env.deps, rows, true);
}

async function schedule(fields: Partial<OneMaintenance> = {}) {
  const { value } = await scheduleMaintenance(env.deps, {
    name: "Webtix database upgrade",
    scheduled_for: start,
    scheduled_until: start + 2 * hour,
    components: [await componentId("Webtix")],
    auto_transition: true,
    notify: false,
    ...fields,
  });
  return value;
}

/** The reminders queued so far: the notification and its recipients, oldest first. */
async function reminders(db: Db = env.deps.db) {
  const done = await db.select().from(maintenanceRemindersDone);
  const sent = done.filter((d) => !d.skipped).sort((a, b) => a.at - b.at);
  return Promise.all(
    sent.map(async (d) => {
      const rows = await db.select().from(deliveries).where(eq(deliveries.notificationId, d.notificationId!));
      return { interval: d.interval, to: rows.map((r) => r.email).sort() };
    }),
  );
}

describe("the reminder rule", () => {
  it("names the shortest interval whose moment has passed, until the start", () => {
    expect(reminderInWindow(start, start - 73 * hour)).toBeNull();
    expect(reminderInWindow(start, start - 72 * hour)).toBe("72h");
    expect(reminderInWindow(start, start - 25 * hour)).toBe("72h");
    expect(reminderInWindow(start, start - 24 * hour)).toBe("24h");
    expect(reminderInWindow(start, start - 30 * 60_000)).toBe("1h");
    expect(reminderInWindow(start, start)).toBeNull();
  });
});

describe("reminders before a maintenance, with a fake clock", () => {
  it("reminds the affected components' subscribers 72 h, 24 h and 1 h before, each exactly once", async () => {
    await subscribers();
    await schedule({ reminders: ["72h", "24h", "1h"] });
    expect((await sendDueReminders(env.deps)).value).toBe(0);
    env.clock.set(start - 72 * hour);
    expect((await sendDueReminders(env.deps)).effects).toEqual({ wake: true });
    env.clock.advance(5_000);
    await sendDueReminders(env.deps);
    env.clock.set(start - 24 * hour + 1);
    await sendDueReminders(env.deps);
    env.clock.set(start - hour);
    await sendDueReminders(env.deps);
    env.clock.set(start - 1);
    await sendDueReminders(env.deps);
    const to = ["all@example.com", "webtix@example.com"];
    expect(await reminders()).toEqual([
      { interval: "72h", to },
      { interval: "24h", to },
      { interval: "1h", to },
    ]);
  });

  it("by default reminds once, 1 h before", async () => {
    await subscribers();
    await schedule();
    env.clock.set(start - 24 * hour);
    await sendDueReminders(env.deps);
    expect(await reminders()).toEqual([]);
    env.clock.set(start - 59 * 60_000);
    await sendDueReminders(env.deps);
    expect((await reminders()).map((r) => r.interval)).toEqual(["1h"]);
  });

  it("sends none for a maintenance scheduled with reminders: []", async () => {
    await subscribers();
    await schedule({ reminders: [] });
    env.clock.set(start - 30 * 60_000);
    await sendDueReminders(env.deps);
    expect(await reminders()).toEqual([]);
  });

  it("after a day down, sends only the reminder whose window it is, and skips the ones that passed", async () => {
    await subscribers();
    await schedule({ reminders: ["72h", "24h", "1h"] });
    env.clock.set(start - 20 * hour);
    await sendDueReminders(env.deps);
    env.clock.set(start - 10 * hour);
    await sendDueReminders(env.deps);
    expect((await reminders()).map((r) => r.interval)).toEqual(["24h"]);
  });

  it("a maintenance scheduled 30 minutes ahead gets its 1 h reminder, not the 24 h one", async () => {
    await subscribers();
    env.clock.set(start - 30 * 60_000);
    await schedule({ reminders: ["24h", "1h"] });
    await sendDueReminders(env.deps);
    expect((await reminders()).map((r) => r.interval)).toEqual(["1h"]);
  });

  it("one whose only reminder's window has passed gets none, rather than a late one", async () => {
    await subscribers();
    env.clock.set(start - 30 * 60_000);
    await schedule({ reminders: ["24h"] });
    await sendDueReminders(env.deps);
    expect(await reminders()).toEqual([]);
  });

  it("cancelled, started or completed maintenances send no reminders", async () => {
    await subscribers();
    const cancelled = await schedule({ name: "Cancelled" });
    const started = await schedule({ name: "Started" });
    await cancelMaintenance(env.deps, cancelled.id, false);
    await startMaintenance(env.deps, started.id, false);
    env.clock.set(start - 30 * 60_000);
    await sendDueReminders(env.deps);
    expect(await reminders()).toEqual([]);
  });

  it("rescheduling re-arms the reminders not yet sent for the new time; those sent stay sent", async () => {
    await subscribers();
    const m = await schedule({ reminders: ["24h", "1h"] });
    env.clock.set(start - 20 * hour);
    await sendDueReminders(env.deps);
    const later = start + 7 * 24 * hour;
    await editMaintenance(env.deps, m.id, { scheduled_for: later, scheduled_until: later + hour });
    env.clock.set(start - 30 * 60_000);
    await sendDueReminders(env.deps);
    expect((await reminders()).map((r) => r.interval)).toEqual(["24h"]);
    env.clock.set(later - 30 * 60_000);
    await sendDueReminders(env.deps);
    expect((await reminders()).map((r) => r.interval)).toEqual(["24h", "1h"]);
  });

  it("a maintenance moved later gets the reminder it had skipped for its old time", async () => {
    await subscribers();
    // Seen first 20 h before the old start: the 72 h reminder's window had passed, so it was skipped.
    const m = await schedule({ reminders: ["72h"] });
    env.clock.set(start - 20 * hour);
    await sendDueReminders(env.deps);
    expect(await reminders()).toEqual([]);
    const later = start + 5 * 24 * hour;
    await editMaintenance(env.deps, m.id, { scheduled_for: later, scheduled_until: later + hour });
    env.clock.set(later - 71 * hour);
    await sendDueReminders(env.deps);
    expect((await reminders()).map((r) => r.interval)).toEqual(["72h"]);
  });

  it("a restarted server (a new connection to the same file) does not send a reminder again", async () => {
    await subscribers();
    await schedule();
    env.clock.set(start - 50 * 60_000);
    await sendDueReminders(env.deps);
    const restarted = openNodeDb(join(env.dir, "marquee.db"));
    try {
      env.clock.advance(5_000);
      expect((await sendDueReminders({ ...env.deps, db: restarted.db })).value).toBe(0);
    } finally {
      restarted.close();
    }
    expect(await reminders()).toHaveLength(1);
  });

  it("two ticks racing on one database file queue a reminder once", async () => {
    await subscribers();
    await schedule();
    const second = openNodeDb(join(env.dir, "marquee.db"));
    try {
      const [one, two] = racingPair(env.deps.db, second.db);
      env.clock.set(start - 30 * 60_000);
      const [a, b] = await Promise.all([
        sendDueReminders({ ...env.deps, db: one }),
        sendDueReminders({ ...env.deps, db: two }),
      ]);
      expect(a.value + b.value).toBe(1);
      expect(await reminders()).toEqual([{ interval: "1h", to: ["all@example.com", "webtix@example.com"] }]);
      expect(await env.deps.db.select().from(notifications)).toHaveLength(1);
    } finally {
      second.close();
    }
  });

  it("the email says when, in the page's time zone, lists the components and links to the maintenance", async () => {
    await subscribers();
    const m = await schedule({ reminders: ["24h"] });
    env.clock.set(start - 24 * hour);
    await sendDueReminders(env.deps);
    const [done] = await env.deps.db.select().from(maintenanceRemindersDone);
    const compose = createIncidentComposer({ db: env.deps.db });
    const [email] = await compose({
      notificationId: done!.notificationId!,
      recipients: [{ subscriberId: "s1", email: "webtix@example.com" } as never],
    });
    expect(email!.subject).toContain("Scheduled maintenance in 24 hours: Webtix database upgrade, ");
    expect(email!.subject).toMatch(/Nov 28, 2026.*13:00.*15:00 UTC/);
    const text = [email!.text].flat().join("");
    expect(text).toContain("- Webtix");
    expect(text).toContain(`https://status.example.com/incidents/${m.id}`);
    expect(email!.headers).toMatchObject({ "List-Unsubscribe-Post": "List-Unsubscribe=One-Click" });
    // A reminder is no update: the maintenance's public history keeps its one "scheduled" update.
    expect((await loadIncident(env.deps.db, m.id)).updates).toHaveLength(1);
  });

  it("a name carrying HTML and a line break cannot inject markup or a header into the reminder", async () => {
    await subscribers();
    await schedule({ name: 'Upgrade <img src=x onerror="alert(1)">\r\nBcc: victim@example.net' });
    env.clock.set(start - 30 * 60_000);
    await sendDueReminders(env.deps);
    const [done] = await env.deps.db.select().from(maintenanceRemindersDone);
    const compose = createIncidentComposer({ db: env.deps.db });
    const [email] = await compose({
      notificationId: done!.notificationId!,
      recipients: [{ subscriberId: "s1", email: "webtix@example.com" } as never],
    });
    expect(email!.subject).not.toMatch(/[\r\n]/);
    expect(email!.headers).not.toHaveProperty("Bcc");
    const html = [email!.html].flat().join("");
    expect(html).not.toContain("<img");
    expect(html).toContain("&lt;img src=x");
  });
});
