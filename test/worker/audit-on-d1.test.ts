import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { desc, eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { Db } from "@/db/client";
import * as schema from "@/db/schema";
import type { StaffDeps } from "@/api/services/audit";
import { updateComponent } from "@/api/services/components";
import { openIncident } from "@/api/services/incidents";
import { seedDefaultPage } from "@/api/services/seed";
import { startD1 } from "./d1";

/**
 * D1 has no interactive transactions: the audit row must ride in the same `batch` as the change it records. Against
 * a real D1 (workerd's, through Miniflare) with the real migrations.
 */
describe("the audit log on D1", () => {
  let d1: Awaited<ReturnType<typeof startD1>>;
  let deps: StaffDeps;

  beforeAll(async () => {
    d1 = await startD1();
    const db = drizzle(d1.db, { schema }) as unknown as Db;
    deps = {
      db,
      clock: () => Date.parse("2026-11-25T12:00:00Z"),
      actor: { kind: "api_key", keyId: "k1", name: "ops" },
    };
    await seedDefaultPage(deps, "https://status.example.com");
  }, 180_000);

  afterAll(async () => {
    await d1?.dispose();
  });

  const componentNamed = async (name: string) =>
    (await deps.db.select().from(schema.components).where(eq(schema.components.name, name)))[0]!;
  const newest = async () =>
    (await deps.db.select().from(schema.auditLog).orderBy(desc(schema.auditLog.id)).limit(1))[0];

  it("records a component's status change with its actor and before/after", async () => {
    const tix1 = await componentNamed("tix1");
    await updateComponent(deps, tix1.id, { status: "major_outage" });
    expect(await newest()).toMatchObject({
      actorKind: "api_key",
      actorKeyId: "k1",
      actorName: "ops",
      resourceType: "component",
      resourceId: tix1.id,
      action: "update",
      before: { status: "operational" },
      after: { status: "major_outage" },
      fields: ["status"],
    });
  });

  it("makes neither the change nor the row when the audit insert fails in the batch", async () => {
    const tix2 = await componentNamed("tix2");
    const last = await newest();
    await d1.db
      .prepare("CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'no'); END")
      .run();
    try {
      await expect(updateComponent(deps, tix2.id, { status: "partial_outage" })).rejects.toThrow();
      await expect(
        openIncident(deps, {
          name: "Lost",
          status: "investigating",
          components: { [tix2.id]: "major_outage" },
          notify: true,
        }),
      ).rejects.toThrow();
    } finally {
      await d1.db.prepare("DROP TRIGGER refuse_audit").run();
    }
    expect((await componentNamed("tix2")).status).toBe("operational");
    expect(await deps.db.select().from(schema.incidents)).toEqual([]);
    expect((await newest())?.id).toBe(last?.id);
  });
});
