import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { Db } from "@/db/client";
import * as schema from "@/db/schema";
import type { StaffDeps } from "@/api/services/audit";
import { openIncident, postIncidentUpdate } from "@/api/services/incidents";
import { publishPostmortem, savePostmortem, unpublishPostmortem } from "@/api/services/postmortems";
import { seedDefaultPage } from "@/api/services/seed";
import { startD1 } from "./d1";

/**
 * Publishing writes the postmortem, the incident's status, the outbox entry and the audit row as one D1 `batch`: against
 * a real D1 (workerd's, through Miniflare) with the real migrations.
 */
describe("postmortems on D1", () => {
  let d1: Awaited<ReturnType<typeof startD1>>;
  let deps: StaffDeps;
  let now = Date.parse("2026-11-25T12:00:00Z");

  beforeAll(async () => {
    d1 = await startD1();
    const db = drizzle(d1.db, { schema }) as unknown as Db;
    deps = { db, clock: () => now, actor: { kind: "api_key", keyId: "k1", name: "ops" } };
    await seedDefaultPage(deps, "https://status.example.com");
  }, 180_000);

  afterAll(async () => {
    await d1?.dispose();
  });

  it("publishes, tells subscribers once, unpublishes and publishes again", async () => {
    const [tix1] = await deps.db.select().from(schema.components).where(eq(schema.components.name, "tix1"));
    await deps.db.insert(schema.subscribers).values({
      id: "sub1",
      email: "reader@example.com",
      status: "active",
      allComponents: true,
      createdAt: now,
      updatedAt: now,
    });
    const incident = (
      await openIncident(deps, {
        name: "Webtix down",
        status: "investigating",
        components: { [tix1!.id]: "major_outage" },
        notify: false,
      })
    ).value;
    await postIncidentUpdate(deps, incident.id, { status: "resolved", notify: false });
    await savePostmortem(deps, incident.id, { body: "What happened." });
    now += 60_000;
    const published = (await publishPostmortem(deps, incident.id, { notify: true })).value;
    expect(published.incident.status).toBe("postmortem");
    expect(published.publishedBody).toBe("What happened.");
    expect(published.draft?.notifiedAt).toBe(now);
    const notifications = async () =>
      deps.db.select().from(schema.notifications).where(eq(schema.notifications.incidentId, incident.id));
    expect(await notifications()).toHaveLength(1);
    expect(await deps.db.select().from(schema.deliveries)).toHaveLength(1);

    const hidden = (await unpublishPostmortem(deps, incident.id)).value;
    expect(hidden.incident.status).toBe("resolved");
    expect(hidden.publishedBody).toBeNull();

    const again = (await publishPostmortem(deps, incident.id, { notify: true })).value;
    expect(again.incident.status).toBe("postmortem");
    expect(await notifications()).toHaveLength(0);
    const audit = await deps.db.select().from(schema.auditLog).where(eq(schema.auditLog.resourceId, incident.id));
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(["postmortem_save", "postmortem_publish", "postmortem_unpublish"]),
    );
  });
});
