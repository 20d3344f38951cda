import { drizzle } from "drizzle-orm/d1";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StaffDeps } from "@/api/services/audit";
import { sendDueReminders } from "@/api/services/maintenance-reminders";
import { makeDueOccurrences, planMaintenance } from "@/api/services/maintenance-series";
import { updatePageSettings } from "@/api/services/page-settings";
import { seedDefaultPage } from "@/api/services/seed";
import { importSubscribers } from "@/api/services/subscribers";
import { tick } from "@/api/services/tick";
import type { Db } from "@/db/client";
import * as schema from "@/db/schema";
import { racingPair } from "@/test/support/racing";
import { startD1 } from "./d1";

/**
 * Reminders and recurring maintenances on D1 (workerd's, through Miniflare), driven by the cron's tick, which
 * remembers nothing between invocations; and two invocations that overlap, each claiming the same reminder and the
 * same occurrence.
 */
describe("maintenance reminders and recurring windows on D1", () => {
  let d1: Awaited<ReturnType<typeof startD1>>;
  let deps: StaffDeps;
  let now = Date.parse("2026-10-01T00:00:00Z");

  beforeAll(async () => {
    d1 = await startD1();
    const db = drizzle(d1.db, { schema }) as unknown as Db;
    deps = { db, clock: () => now, actor: { kind: "api_key", keyId: "k1", name: "ops" } };
    await seedDefaultPage(deps, "https://status.example.com");
    await updatePageSettings(deps, { time_zone: "Europe/Berlin" });
    await importSubscribers(deps, [{ email: "all@example.com" }, { email: "b@example.com" }], true);
  }, 180_000);
  afterAll(async () => {
    await d1?.dispose();
  });

  it("the cron tick makes the next weekly occurrence at 09:00 Berlin after the clocks go back, and reminds once", async () => {
    const [webtix] = await deps.db.select().from(schema.components).where(eq(schema.components.name, "Webtix"));
    const first = Date.parse("2026-10-23T07:00:00Z");
    await planMaintenance(deps, {
      name: "Weekly patching",
      scheduled_for: first,
      scheduled_until: first + 3_600_000,
      components: [webtix!.id],
      auto_transition: true,
      notify: false,
      reminders: ["1h"],
      repeat: { every: "week" },
    });
    // Each minute's cron invocation knows nothing of the one before.
    for (const at of ["2026-10-23T06:00:00Z", "2026-10-23T06:01:00Z", "2026-10-23T07:00:00Z"]) {
      now = Date.parse(at);
      await tick(deps, null);
    }
    const made = await deps.db.select().from(schema.incidents).where(eq(schema.incidents.kind, "maintenance"));
    expect(made.map((m) => new Date(m.scheduledFor!).toISOString()).sort()).toEqual([
      "2026-10-23T07:00:00.000Z",
      "2026-10-30T08:00:00.000Z",
    ]);
    const done = await deps.db.select().from(schema.maintenanceRemindersDone);
    expect(done).toMatchObject([{ interval: "1h", skipped: false }]);
    const recipients = await deps.db
      .select()
      .from(schema.deliveries)
      .where(eq(schema.deliveries.notificationId, done[0]!.notificationId!));
    expect(recipients).toHaveLength(2);
  });

  it("two overlapping invocations queue the next reminder and make the next occurrence once", async () => {
    const [one, two] = racingPair(
      drizzle(d1.db, { schema }) as unknown as Db,
      drizzle(d1.db, { schema }) as unknown as Db,
    );
    now = Date.parse("2026-10-30T07:30:00Z");
    const reminded = await Promise.all([
      sendDueReminders({ ...deps, db: one }),
      sendDueReminders({ ...deps, db: two }),
    ]);
    expect(reminded[0].value + reminded[1].value).toBe(1);
    expect(await deps.db.select().from(schema.maintenanceRemindersDone)).toHaveLength(2);

    const [three, four] = racingPair(
      drizzle(d1.db, { schema }) as unknown as Db,
      drizzle(d1.db, { schema }) as unknown as Db,
    );
    now = Date.parse("2026-10-30T08:00:00Z");
    const made = await Promise.all([
      makeDueOccurrences({ ...deps, db: three }),
      makeDueOccurrences({ ...deps, db: four }),
    ]);
    expect(made[0].value.length + made[1].value.length).toBe(1);
    expect(await deps.db.select().from(schema.maintenanceOccurrences)).toHaveLength(3);
  });
});
