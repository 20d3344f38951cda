import { asc, eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { componentStatusChanges } from "@/db/schema";
import { makeApp } from "../support/app";
import {
  createComponent,
  createGroup,
  expectError,
  expectStatus,
  getComponent,
  openIncident,
  type TestApp,
  type V2Component,
  type V2Group,
  type V2Incident,
} from "../support/factories";

let t: TestApp;
beforeEach(async () => {
  t = await makeApp();
});
afterEach(async () => {
  await t.cleanup();
});

const history = (componentId: string) =>
  t.deps.db
    .select()
    .from(componentStatusChanges)
    .where(eq(componentStatusChanges.componentId, componentId))
    .orderBy(asc(componentStatusChanges.id));

const listComponents = async () => expectStatus<V2Component[]>(await t.call("GET", "/api/v1/components"), 200);
const listGroups = async () => expectStatus<V2Group[]>(await t.call("GET", "/api/v1/groups"), 200);

describe("components", () => {
  it("a created component answers 201 in Statuspage shape, operational by default, and is listed", async () => {
    const group = await createGroup(t, { name: "Data centre B" });
    const res = await t.call("POST", "/api/v1/components", {
      name: "tix6",
      description: "Ticketing server tix6",
      group_id: group.id,
    });
    const created = await expectStatus<V2Component>(res, 201);
    expect(created).toMatchObject({
      name: "tix6",
      description: "Ticketing server tix6",
      status: "operational",
      group_id: group.id,
      group: false,
      position: 0,
      showcase: false,
      only_show_if_degraded: false,
      start_date: null,
    });
    expect(created.id).toMatch(/^[a-z0-9]{12}$/);
    expect(Date.parse(created.created_at)).toBe(t.clock());
    expect(t.changes).toHaveLength(2);

    expect(await getComponent(t, created.id)).toEqual(created);
    expect((await listComponents()).map((c) => c.id)).toContain(created.id);
    expect((await listGroups()).find((g) => g.id === group.id)!.components).toEqual([created.id]);
  });

  it("a new component goes after the existing ones of its group", async () => {
    const group = await createGroup(t);
    const first = await createComponent(t, { group_id: group.id });
    const second = await createComponent(t, { group_id: group.id });
    expect([first.position, second.position]).toEqual([0, 1]);
  });

  it("updating a component's fields keeps its status and records no status change", async () => {
    const server = await createComponent(t, { status: "degraded_performance" });
    t.clock.advance(60_000);
    const res = await t.call("PATCH", `/api/v1/components/${server.id}`, {
      name: "tix7",
      description: null,
      showcase: true,
    });
    const updated = await expectStatus<V2Component>(res, 200);
    expect(updated).toMatchObject({ name: "tix7", description: null, showcase: true, status: "degraded_performance" });
    expect(Date.parse(updated.updated_at)).toBe(t.clock());
    expect(await history(server.id)).toEqual([]);
  });

  it("changing a component's status records the change in the status history", async () => {
    const server = await createComponent(t);
    t.clock.advance(60_000);
    const changedAt = t.clock();
    const res = await t.call("PATCH", `/api/v1/components/${server.id}`, { status: "partial_outage" });
    expect((await expectStatus<V2Component>(res, 200)).status).toBe("partial_outage");
    expect((await getComponent(t, server.id)).status).toBe("partial_outage");
    expect(await history(server.id)).toMatchObject([
      { componentId: server.id, oldStatus: "operational", newStatus: "partial_outage", changedAt },
    ]);

    // Setting the same status again is no change.
    await expectStatus(await t.call("PATCH", `/api/v1/components/${server.id}`, { status: "partial_outage" }), 200);
    t.clock.advance(60_000);
    await expectStatus(await t.call("PATCH", `/api/v1/components/${server.id}`, { status: "operational" }), 200);
    expect(await history(server.id)).toMatchObject([
      { oldStatus: "operational", newStatus: "partial_outage", changedAt },
      { oldStatus: "partial_outage", newStatus: "operational", changedAt: changedAt + 60_000 },
    ]);
  });

  it("a deleted component answers 204 and is gone", async () => {
    const server = await createComponent(t);
    const kept = await createComponent(t);
    t.changes.length = 0;
    const res = await t.call("DELETE", `/api/v1/components/${server.id}`);
    expect(res.status).toBe(204);
    expect(t.changes).toHaveLength(1);
    await expectError(await t.call("GET", `/api/v1/components/${server.id}`), 404, "not_found");
    const ids = (await listComponents()).map((c) => c.id);
    expect(ids).not.toContain(server.id);
    expect(ids).toContain(kept.id);
  });

  it("reordering gives the listed components positions in the order of the ids", async () => {
    const group = await createGroup(t);
    const [a, b, c] = [
      await createComponent(t, { group_id: group.id }),
      await createComponent(t, { group_id: group.id }),
      await createComponent(t, { group_id: group.id }),
    ];
    t.changes.length = 0;
    const res = await t.call("POST", "/api/v1/components/reorder", { ids: [c.id, a.id, b.id] });
    expect(res.status).toBe(204);
    expect(t.changes).toHaveLength(1);
    expect((await getComponent(t, c.id)).position).toBe(0);
    expect((await getComponent(t, a.id)).position).toBe(1);
    expect((await getComponent(t, b.id)).position).toBe(2);
    expect((await listGroups()).find((g) => g.id === group.id)!.components).toEqual([c.id, a.id, b.id]);
  });

  it("reordering with a repeated or unknown id answers 422 and moves nothing", async () => {
    const a = await createComponent(t);
    const b = await createComponent(t);
    await expectError(
      await t.call("POST", "/api/v1/components/reorder", { ids: [b.id, a.id, b.id] }),
      422,
      "validation_failed",
    );
    await expectError(
      await t.call("POST", "/api/v1/components/reorder", { ids: [b.id, "nosuchthing0"] }),
      422,
      "validation_failed",
    );
    expect((await getComponent(t, a.id)).position).toBe(a.position);
    expect((await getComponent(t, b.id)).position).toBe(b.position);
  });
});

describe("groups", () => {
  it("a created group answers 201 as a Statuspage group row and can be renamed", async () => {
    const res = await t.call("POST", "/api/v1/groups", { name: "Box office", description: "Wintix sites" });
    const group = await expectStatus<V2Group>(res, 201);
    expect(group).toMatchObject({ name: "Box office", description: "Wintix sites", group: true, components: [] });
    expect(group.status).toBe("operational");

    const renamed = await expectStatus<V2Group>(
      await t.call("PATCH", `/api/v1/groups/${group.id}`, { name: "Box offices" }),
      200,
    );
    expect(renamed).toMatchObject({ id: group.id, name: "Box offices", description: "Wintix sites" });
    expect((await listGroups()).map((g) => g.name)).toContain("Box offices");
  });

  it("a group shows the worst status of its members", async () => {
    const group = await createGroup(t);
    await createComponent(t, { group_id: group.id, status: "degraded_performance" });
    await createComponent(t, { group_id: group.id, status: "partial_outage" });
    expect((await listGroups()).find((g) => g.id === group.id)!.status).toBe("partial_outage");
  });

  it("deleting a group answers 204 and leaves its components, ungrouped", async () => {
    const group = await createGroup(t);
    const a = await createComponent(t, { group_id: group.id });
    const b = await createComponent(t, { group_id: group.id, status: "major_outage" });
    const res = await t.call("DELETE", `/api/v1/groups/${group.id}`);
    expect(res.status).toBe(204);
    expect((await listGroups()).map((g) => g.id)).not.toContain(group.id);
    expect(await getComponent(t, a.id)).toMatchObject({ group_id: null, status: "operational" });
    expect(await getComponent(t, b.id)).toMatchObject({ group_id: null, status: "major_outage" });
    await expectError(await t.call("DELETE", `/api/v1/groups/${group.id}`), 404, "not_found");
  });

  it("moving a component to another group shows it there", async () => {
    const from = await createGroup(t);
    const to = await createGroup(t);
    const server = await createComponent(t, { group_id: from.id });
    const moved = await expectStatus<V2Component>(
      await t.call("PATCH", `/api/v1/components/${server.id}`, { group_id: to.id }),
      200,
    );
    expect(moved.group_id).toBe(to.id);
    const groups = await listGroups();
    expect(groups.find((g) => g.id === from.id)!.components).toEqual([]);
    expect(groups.find((g) => g.id === to.id)!.components).toEqual([server.id]);
  });
});

describe("concurrent writes", () => {
  it("two concurrent status changes of different components both land", async () => {
    const a = await createComponent(t);
    const b = await createComponent(t);
    const [ra, rb] = await Promise.all([
      t.call("PATCH", `/api/v1/components/${a.id}`, { status: "major_outage" }),
      t.call("PATCH", `/api/v1/components/${b.id}`, { status: "degraded_performance" }),
    ]);
    expect([ra.status, rb.status]).toEqual([200, 200]);
    expect((await getComponent(t, a.id)).status).toBe("major_outage");
    expect((await getComponent(t, b.id)).status).toBe("degraded_performance");
    expect(await history(a.id)).toHaveLength(1);
    expect(await history(b.id)).toHaveLength(1);
  });

  it("two concurrent incidents both land, with their components", async () => {
    const a = await createComponent(t);
    const b = await createComponent(t);
    const answers = await Promise.all([
      t.call("POST", "/api/v1/incidents", { name: "A down", components: { [a.id]: "major_outage" } }),
      t.call("POST", "/api/v1/incidents", { name: "B slow", components: { [b.id]: "degraded_performance" } }),
    ]);
    const [ia, ib] = await Promise.all(answers.map((r) => expectStatus<V2Incident>(r, 201)));
    expect(ia.id).not.toBe(ib.id);
    const listed = await expectStatus<V2Incident[]>(await t.call("GET", "/api/v1/incidents"), 200);
    expect(listed.map((i) => i.name).sort()).toEqual(["A down", "B slow"]);
    expect((await getComponent(t, a.id)).status).toBe("major_outage");
    expect((await getComponent(t, b.id)).status).toBe("degraded_performance");
  });

  it("two concurrent incidents on one component both record it as affected", async () => {
    const server = await createComponent(t);
    const answers = await Promise.all([
      openIncident(t, { components: { [server.id]: "partial_outage" } }),
      openIncident(t, { components: { [server.id]: "major_outage" } }),
    ]);
    for (const incident of answers) {
      const fetched = await expectStatus<V2Incident>(await t.call("GET", `/api/v1/incidents/${incident.id}`), 200);
      expect(fetched.components.map((c) => c.id)).toEqual([server.id]);
    }
    expect(await history(server.id)).toHaveLength(2);
  });
});
