import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeApp } from "@/test/support/app";
import { signedIn } from "@/test/support/console-browser";
import {
  dbSnapshot,
  expectStatus,
  getComponent,
  scheduleMaintenance,
  seededComponentId,
  type TestApp,
  type V2Maintenance,
} from "@/test/support/factories";

let t: TestApp;
beforeEach(async () => {
  t = await makeApp();
});
afterEach(async () => {
  await t.cleanup();
});

const maintenance = async (id: string) =>
  expectStatus<V2Maintenance>(await t.call("GET", `/api/v1/maintenances/${id}`), 200);
/** A window next year: the schedule itself would not move it during the test. */
const later = { scheduled_for: "2031-01-10T22:00:00Z", scheduled_until: "2031-01-11T02:00:00Z" };

describe("working maintenances from the console", () => {
  it("offers start and cancel on a scheduled maintenance, and complete once it runs", async () => {
    const { b } = await signedIn(t);
    const m = await scheduleMaintenance(t, later);
    const html = await (await b.request("GET", "/admin")).text();
    expect(html).toContain(`action="/admin/maintenances/${m.id}/start"`);
    expect(html).toContain(`action="/admin/maintenances/${m.id}/cancel"`);
    expect(html).not.toContain(`action="/admin/maintenances/${m.id}/complete"`);
  });

  it("starts a maintenance now, putting its components under maintenance, then completes it", async () => {
    const { b, csrf } = await signedIn(t);
    const tix3 = await seededComponentId(t, "tix3");
    const m = await scheduleMaintenance(t, { ...later, components: [tix3] });

    const started = await b.request("POST", `/admin/maintenances/${m.id}/start`, { csrf, notify: "on" });
    expect(started.headers.get("location")).toBe("/admin?flash=started");
    expect(await (await b.request("GET", "/admin?flash=started")).text()).toContain("Maintenance started.");
    expect((await maintenance(m.id)).status).toBe("in_progress");
    expect((await getComponent(t, tix3)).status).toBe("under_maintenance");
    expect(t.changes).toContainEqual({ incidents: [m.id] });
    const html = await (await b.request("GET", "/admin")).text();
    expect(html).toContain(`action="/admin/maintenances/${m.id}/complete"`);

    const completed = await b.request("POST", `/admin/maintenances/${m.id}/complete`, { csrf, notify: "on" });
    expect(completed.headers.get("location")).toBe("/admin?flash=completed");
    const after = await maintenance(m.id);
    expect(after.status).toBe("completed");
    expect(after.incident_updates.map((u) => u.status)).toEqual(["completed", "in_progress", "scheduled"]);
    expect((await getComponent(t, tix3)).status).toBe("operational");
  });

  it("cancels a scheduled maintenance with a message, leaving its components as staff set them", async () => {
    const { b, csrf } = await signedIn(t);
    const tix5 = await seededComponentId(t, "tix5");
    const m = await scheduleMaintenance(t, { ...later, components: [tix5] });
    await t.call("PATCH", `/api/v1/components/${tix5}`, { status: "partial_outage" });

    const res = await b.request("POST", `/admin/maintenances/${m.id}/cancel`, { csrf, notify: "on" });
    expect(res.headers.get("location")).toBe("/admin?flash=cancelled");
    const after = await maintenance(m.id);
    expect(after.status).toBe("completed");
    expect(after.incident_updates[0]).toMatchObject({
      body: "This scheduled maintenance has been cancelled.",
      deliver_notifications: true,
    });
    expect((await getComponent(t, tix5)).status).toBe("partial_outage");
    expect(await (await b.request("GET", "/admin")).text()).not.toContain(`data-maintenance-id="${m.id}"`);
  });

  it("refuses to cancel a maintenance under way, saying why on the dashboard, and changes nothing", async () => {
    const { b, csrf } = await signedIn(t);
    const m = await scheduleMaintenance(t, later);
    await b.request("POST", `/admin/maintenances/${m.id}/start`, { csrf });
    const before = await dbSnapshot(t.deps);
    const res = await b.request("POST", `/admin/maintenances/${m.id}/cancel`, { csrf });
    expect(res.status).toBe(409);
    expect(await res.text()).toContain("This maintenance has already started; complete it instead of cancelling it");
    expect(await dbSnapshot(t.deps)).toEqual(before);
    expect((await b.request("POST", `/admin/maintenances/${m.id}/start`, { csrf })).status).toBe(409);
    expect(await dbSnapshot(t.deps)).toEqual(before);
    const done = await b.request("POST", `/admin/maintenances/${m.id}/complete`, { csrf });
    expect(done.status).toBe(303);
    const again = await b.request("POST", `/admin/maintenances/${m.id}/start`, { csrf });
    expect(again.status).toBe(409);
    expect((await b.request("POST", "/admin/maintenances/nope/start", { csrf })).status).toBe(404);
  });

  it("refuses maintenance actions without the csrf token, changing nothing", async () => {
    const { b } = await signedIn(t);
    const m = await scheduleMaintenance(t, later);
    const before = await dbSnapshot(t.deps);
    for (const action of ["start", "complete", "cancel"]) {
      expect((await b.request("POST", `/admin/maintenances/${m.id}/${action}`, { notify: "on" })).status).toBe(403);
    }
    expect(await dbSnapshot(t.deps)).toEqual(before);
  });
});
