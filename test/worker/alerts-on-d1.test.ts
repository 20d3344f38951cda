import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { Db } from "@/db/client";
import * as schema from "@/db/schema";
import type { Deps } from "@/api/services/deps";
import { seedDefaultPage } from "@/api/services/seed";
import { receiveAlerts } from "@/api/alerts/receive-alerts";
import { parseAlertPayload } from "@/api/alerts/payloads";
import { defaultSeverityStatuses } from "@/api/alerts/severity";
import { startD1 } from "./d1";

/** The alert service against a real D1 (workerd's, through Miniflare): its writes use no interactive transaction. */
describe("alerts on D1", () => {
  let d1: Awaited<ReturnType<typeof startD1>>;
  let deps: Deps;

  beforeAll(async () => {
    d1 = await startD1();
    const db = drizzle(d1.db, { schema }) as unknown as Db;
    deps = { db, clock: () => Date.parse("2026-11-25T12:00:00Z") };
    await seedDefaultPage(deps, "https://status.example.com");
  }, 180_000);

  afterAll(async () => {
    await d1?.dispose();
  });

  const statusOf = async (name: string) =>
    (await deps.db.select().from(schema.components).where(eq(schema.components.name, name)))[0]!.status;
  const alert = (status: "firing" | "resolved") => ({
    status,
    labels: { alertname: "TixDown", component: "tix3", severity: "critical" },
    startsAt: "2026-11-25T11:58:00Z",
    endsAt: status === "resolved" ? "2026-11-25T12:05:00Z" : "0001-01-01T00:00:00Z",
    fingerprint: "a1b2c3d4e5f60718",
  });
  const deliver = async (status: "firing" | "resolved") =>
    (
      await receiveAlerts(
        deps,
        "alertmanager",
        parseAlertPayload("alertmanager", { version: "4", alerts: [alert(status)] }),
        defaultSeverityStatuses,
      )
    ).value;

  it("a firing alert sets the component, a repeat changes nothing, the resolution restores it", async () => {
    expect(await deliver("firing")).toEqual({ received: 1, applied: 1, unmatched: [] });
    expect(await statusOf("tix3")).toBe("major_outage");
    expect(await deliver("firing")).toMatchObject({ applied: 0 });
    expect(await deliver("resolved")).toMatchObject({ applied: 1 });
    expect(await statusOf("tix3")).toBe("operational");
    const [row] = await deps.db.select().from(schema.receivedAlerts);
    expect(row).toMatchObject({ fingerprint: "a1b2c3d4e5f60718", status: "resolved" });
  });
});
