import { drizzle } from "drizzle-orm/d1";
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHeartbeat, getHeartbeat, listPings } from "@/api/heartbeats/heartbeats";
import { recordPing } from "@/api/heartbeats/ping";
import { HeartbeatCreate } from "@/api/heartbeats/schemas";
import type { StaffDeps } from "@/api/services/audit";
import { seedDefaultPage } from "@/api/services/seed";
import { tick } from "@/api/services/tick";
import type { Db } from "@/db/client";
import * as schema from "@/db/schema";
import { startD1 } from "./d1";

/** The same heartbeat writes on D1 (workerd's, through Miniflare): batches, the ping log's trim, the tick's query. */
describe("heartbeats on D1", () => {
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

  it("pings, keeps 50 of them, and the tick turns an overdue heartbeat down and marks its component", async () => {
    const [tix1] = await deps.db.select().from(schema.components).where(eq(schema.components.name, "tix1"));
    const input = HeartbeatCreate.parse({
      name: "Backup",
      schedule: "0 3 * * *",
      time_zone: "Europe/Berlin",
      grace_seconds: 600,
      component_id: tix1!.id,
    });
    const { heartbeat, pingUrl } = (await createHeartbeat(deps, input)).value;
    const token = pingUrl.split("/ping/")[1]!;
    const ping = { token, exitCode: null, method: "GET", clientAddress: "192.0.2.1", userAgent: null, body: null };
    for (let i = 0; i < 52; i++) {
      now += 61_000;
      expect(await recordPing(deps, { ...ping, kind: "success" })).toMatchObject({ outcome: "recorded" });
    }
    expect(await listPings(deps, heartbeat.id)).toHaveLength(50);
    expect((await getHeartbeat(deps, heartbeat.id)).status).toBe("up");

    now = Date.parse("2026-11-27T03:00:00Z");
    await tick(deps, null);
    const after = await getHeartbeat(deps, heartbeat.id);
    expect(after).toMatchObject({ status: "down", reported: true, dueAt: null });
    const [state] = await deps.db
      .select()
      .from(schema.automaticStates)
      .where(
        and(eq(schema.automaticStates.sourceKind, "heartbeat"), eq(schema.automaticStates.sourceId, heartbeat.id)),
      );
    expect(state).toMatchObject({ problem: true, setStatus: "major_outage" });
    const [component] = await deps.db.select().from(schema.components).where(eq(schema.components.id, tix1!.id));
    expect(component!.status).toBe("major_outage");
  });
});
