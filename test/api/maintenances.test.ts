import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeApp } from "../support/app";
import {
  createComponent,
  expectError,
  expectStatus,
  getComponent,
  openIncident,
  scheduleMaintenance,
  seededComponentId,
  type TestApp,
  type V2Incident,
  type V2Maintenance,
} from "../support/factories";
import { advanceMaintenances } from "../support/written";

// The test clock starts at 2026-11-25T12:00:00Z; the window is the next night.
const start = "2026-11-26T22:00:00.000Z";
const end = "2026-11-27T02:00:00.000Z";

let t: TestApp;
beforeEach(async () => {
  t = await makeApp();
});
afterEach(async () => {
  await t.cleanup();
});

const getMaintenance = async (id: string) =>
  expectStatus<V2Maintenance>(await t.call("GET", `/api/v1/maintenances/${id}`), 200);
const statuses = (m: { incident_updates: { status: string }[] }) => m.incident_updates.map((u) => u.status);

describe("scheduling a maintenance", () => {
  it("for a future window on Webtix answers 201, scheduled, and leaves Webtix operational", async () => {
    const webtix = await seededComponentId(t, "Webtix");
    const res = await t.call("POST", "/api/v1/maintenances", {
      name: "Webtix database upgrade",
      body: "Online sales pause during the upgrade.",
      scheduled_for: start,
      scheduled_until: end,
      components: [webtix],
    });
    const maintenance = await expectStatus<V2Maintenance>(res, 201);
    expect(maintenance).toMatchObject({
      name: "Webtix database upgrade",
      status: "scheduled",
      impact: "maintenance",
      resolved_at: null,
      monitoring_at: null,
    });
    expect(Date.parse(maintenance.scheduled_for!)).toBe(Date.parse(start));
    expect(Date.parse(maintenance.scheduled_until!)).toBe(Date.parse(end));
    expect(maintenance.components).toMatchObject([{ id: webtix, status: "operational" }]);
    expect(maintenance.incident_updates).toHaveLength(1);
    expect(maintenance.incident_updates[0]).toMatchObject({
      status: "scheduled",
      body: "Online sales pause during the upgrade.",
      affected_components: [],
    });
    expect((await getComponent(t, webtix)).status).toBe("operational");
    expect(t.changes).toEqual([{ incidents: [maintenance.id] }]);

    const listed = await expectStatus<V2Maintenance[]>(await t.call("GET", "/api/v1/maintenances"), 200);
    expect(listed.map((m) => m.id)).toEqual([maintenance.id]);
    const incidents = await expectStatus<V2Incident[]>(await t.call("GET", "/api/v1/incidents"), 200);
    expect(incidents).toEqual([]);
  });

  it("nothing moves before the window starts", async () => {
    const server = await createComponent(t);
    const maintenance = await scheduleMaintenance(t, {
      scheduled_for: start,
      scheduled_until: end,
      components: [server.id],
    });
    t.clock.set(Date.parse(start) - 1);
    expect(await advanceMaintenances(t.deps)).toEqual([]);
    expect((await getMaintenance(maintenance.id)).status).toBe("scheduled");
    expect((await getComponent(t, server.id)).status).toBe("operational");
  });

  it("a window that has already begun starts at once", async () => {
    const server = await createComponent(t);
    const maintenance = await scheduleMaintenance(t, {
      scheduled_for: "2026-11-25T11:00:00.000Z",
      scheduled_until: "2026-11-25T14:00:00.000Z",
      components: [server.id],
    });
    expect(maintenance.status).toBe("in_progress");
    expect((await getComponent(t, server.id)).status).toBe("under_maintenance");
  });
});

describe("the maintenance window", () => {
  it("puts the maintenance in progress and Webtix under maintenance when it starts", async () => {
    const webtix = await seededComponentId(t, "Webtix");
    const maintenance = await scheduleMaintenance(t, {
      scheduled_for: start,
      scheduled_until: end,
      components: [webtix],
    });

    t.clock.set(Date.parse(start) + 1_000);
    expect(await advanceMaintenances(t.deps)).toEqual([maintenance.id]);
    const started = await getMaintenance(maintenance.id);
    expect(started.status).toBe("in_progress");
    expect(started.resolved_at).toBeNull();
    expect(statuses(started)).toEqual(["in_progress", "scheduled"]);
    expect(started.incident_updates[0]).toMatchObject({
      body: "Scheduled maintenance is currently in progress. We will provide updates as necessary.",
      affected_components: [
        { code: webtix, name: "Webtix", old_status: "operational", new_status: "under_maintenance" },
      ],
    });
    expect((await getComponent(t, webtix)).status).toBe("under_maintenance");

    // A second tick in the window changes nothing.
    t.clock.advance(60_000);
    expect(await advanceMaintenances(t.deps)).toEqual([]);
    expect(statuses(await getMaintenance(maintenance.id))).toEqual(["in_progress", "scheduled"]);
  });

  it("completes the maintenance and brings Webtix back to operational when it ends", async () => {
    const webtix = await seededComponentId(t, "Webtix");
    const maintenance = await scheduleMaintenance(t, {
      scheduled_for: start,
      scheduled_until: end,
      components: [webtix],
    });
    t.clock.set(Date.parse(start) + 1_000);
    await advanceMaintenances(t.deps);

    const endedAt = Date.parse(end) + 1_000;
    t.clock.set(endedAt);
    expect(await advanceMaintenances(t.deps)).toEqual([maintenance.id]);
    const completed = await getMaintenance(maintenance.id);
    expect(completed.status).toBe("completed");
    expect(Date.parse(completed.resolved_at!)).toBe(endedAt);
    expect(statuses(completed)).toEqual(["completed", "in_progress", "scheduled"]);
    expect(completed.incident_updates[0]).toMatchObject({
      body: "The scheduled maintenance has been completed.",
      affected_components: [{ code: webtix, old_status: "under_maintenance", new_status: "operational" }],
    });
    expect((await getComponent(t, webtix)).status).toBe("operational");

    t.clock.advance(60_000);
    expect(await advanceMaintenances(t.deps)).toEqual([]);
  });

  it("a tick after the whole window moves a scheduled maintenance through in progress to completed", async () => {
    const server = await createComponent(t);
    const maintenance = await scheduleMaintenance(t, {
      scheduled_for: start,
      scheduled_until: end,
      components: [server.id],
    });
    t.clock.set(Date.parse(end) + 60_000);
    expect(await advanceMaintenances(t.deps)).toEqual([maintenance.id]);
    const completed = await getMaintenance(maintenance.id);
    expect(completed.status).toBe("completed");
    expect(completed.resolved_at).not.toBeNull();
    expect(statuses(completed)).toContain("in_progress");
    expect(statuses(completed)[0]).toBe("completed");
    expect((await getComponent(t, server.id)).status).toBe("operational");
  });

  it("a maintenance scheduled without auto_transition waits for staff", async () => {
    const server = await createComponent(t);
    const maintenance = await scheduleMaintenance(t, {
      scheduled_for: start,
      scheduled_until: end,
      components: [server.id],
      auto_transition: false,
    });
    t.clock.set(Date.parse(end) + 60_000);
    expect(await advanceMaintenances(t.deps)).toEqual([]);
    expect((await getMaintenance(maintenance.id)).status).toBe("scheduled");
    expect((await getComponent(t, server.id)).status).toBe("operational");
  });

  it("completing does not restore a component that an open incident still holds", async () => {
    const server = await createComponent(t);
    const maintenance = await scheduleMaintenance(t, {
      scheduled_for: start,
      scheduled_until: end,
      components: [server.id],
    });
    t.clock.set(Date.parse(start) + 1_000);
    await advanceMaintenances(t.deps);
    t.clock.advance(60_000);
    await openIncident(t, { components: { [server.id]: "major_outage" } });

    t.clock.set(Date.parse(end) + 1_000);
    await advanceMaintenances(t.deps);
    expect((await getMaintenance(maintenance.id)).status).toBe("completed");
    expect((await getComponent(t, server.id)).status).toBe("major_outage");
  });
});

describe("staff updates to a maintenance", () => {
  it("a verifying update is posted, sets monitoring_at and keeps the components under maintenance", async () => {
    const webtix = await seededComponentId(t, "Webtix");
    const maintenance = await scheduleMaintenance(t, {
      scheduled_for: start,
      scheduled_until: end,
      components: [webtix],
    });
    t.clock.set(Date.parse(start) + 1_000);
    await advanceMaintenances(t.deps);
    t.changes.length = 0;

    t.clock.advance(30 * 60_000);
    const res = await t.call("POST", `/api/v1/maintenances/${maintenance.id}/updates`, {
      status: "verifying",
      body: "The upgrade is done; we are checking online sales.",
    });
    const verifying = await expectStatus<V2Maintenance>(res, 201);
    expect(verifying.status).toBe("verifying");
    expect(Date.parse(verifying.monitoring_at!)).toBe(t.clock());
    expect(verifying.resolved_at).toBeNull();
    expect(statuses(verifying)).toEqual(["verifying", "in_progress", "scheduled"]);
    expect(verifying.incident_updates[0]).toMatchObject({
      body: "The upgrade is done; we are checking online sales.",
      affected_components: [],
      deliver_notifications: true,
    });
    expect((await getComponent(t, webtix)).status).toBe("under_maintenance");
    expect(t.changes).toEqual([{ incidents: [maintenance.id] }]);

    // The end of the window still completes it.
    t.clock.set(Date.parse(end) + 1_000);
    await advanceMaintenances(t.deps);
    expect((await getMaintenance(maintenance.id)).status).toBe("completed");
    expect((await getComponent(t, webtix)).status).toBe("operational");
  });

  it("staff can start and complete a maintenance by hand", async () => {
    const server = await createComponent(t);
    const maintenance = await scheduleMaintenance(t, {
      scheduled_for: start,
      scheduled_until: end,
      components: [server.id],
      auto_transition: false,
    });
    const path = `/api/v1/maintenances/${maintenance.id}/updates`;
    await expectStatus(await t.call("POST", path, { status: "in_progress" }), 201);
    expect((await getComponent(t, server.id)).status).toBe("under_maintenance");
    const completed = await expectStatus<V2Maintenance>(await t.call("POST", path, { status: "completed" }), 201);
    expect(completed.status).toBe("completed");
    expect(Date.parse(completed.resolved_at!)).toBe(t.clock());
    expect((await getComponent(t, server.id)).status).toBe("operational");
  });

  it("a completed maintenance cannot be reopened: 409", async () => {
    const maintenance = await scheduleMaintenance(t, { auto_transition: false });
    const path = `/api/v1/maintenances/${maintenance.id}/updates`;
    await expectStatus(await t.call("POST", path, { status: "completed" }), 201);
    await expectError(await t.call("POST", path, { status: "in_progress" }), 409, "conflict");
    expect((await getMaintenance(maintenance.id)).status).toBe("completed");
  });

  it("an incident status is not a maintenance status: 422", async () => {
    const maintenance = await scheduleMaintenance(t);
    await expectError(
      await t.call("POST", `/api/v1/maintenances/${maintenance.id}/updates`, { status: "resolved" }),
      422,
      "validation_failed",
    );
  });

  it("deleting a maintenance answers 204, after which it is gone", async () => {
    const maintenance = await scheduleMaintenance(t);
    const res = await t.call("DELETE", `/api/v1/maintenances/${maintenance.id}`);
    expect(res.status).toBe(204);
    await expectError(await t.call("GET", `/api/v1/maintenances/${maintenance.id}`), 404, "not_found");
  });
});
