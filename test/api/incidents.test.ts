import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeApp } from "../support/app";
import {
  createComponent,
  expectError,
  expectStatus,
  getComponent,
  openIncident,
  postUpdate,
  seededComponentId,
  type TestApp,
  type V2Incident,
} from "../support/factories";

const minutes = (n: number) => n * 60_000;

import { incidentKeys, updateKeys } from "@/test/support/statuspage-keys";

let t: TestApp;
beforeEach(async () => {
  t = await makeApp();
});
afterEach(async () => {
  await t.cleanup();
});

describe("opening an incident", () => {
  it("answers 201 in Statuspage v2 shape and takes the affected component down", async () => {
    const tix1 = await seededComponentId(t, "tix1");
    const res = await t.call("POST", "/api/v1/incidents", {
      name: "Webtix down on tix1",
      body: "tix1 stopped answering after the provider rebooted its data centre.",
      components: { [tix1]: "major_outage" },
    });
    const incident = await expectStatus<V2Incident>(res, 201);

    expect(Object.keys(incident).sort()).toEqual([...incidentKeys].sort());
    expect(incident).toMatchObject({
      name: "Webtix down on tix1",
      status: "investigating",
      impact: "critical",
      monitoring_at: null,
      resolved_at: null,
    });
    expect(incident.id).toMatch(/^[a-z0-9]{12}$/);
    expect(incident.shortlink).toBe(`https://status.example.com/incidents/${incident.id}`);
    expect(Date.parse(incident.started_at)).toBe(t.clock());

    expect(incident.incident_updates).toHaveLength(1);
    const [first] = incident.incident_updates;
    expect(Object.keys(first).sort()).toEqual([...updateKeys].sort());
    expect(first).toMatchObject({
      status: "investigating",
      body: "tix1 stopped answering after the provider rebooted its data centre.",
      incident_id: incident.id,
      deliver_notifications: true,
      tweet_id: null,
      affected_components: [{ code: tix1, name: "tix1", old_status: "operational", new_status: "major_outage" }],
    });

    expect(incident.components).toHaveLength(1);
    expect(incident.components[0]).toMatchObject({ id: tix1, name: "tix1", status: "major_outage", group: false });
    expect((await getComponent(t, tix1)).status).toBe("major_outage");
    expect(t.changes).toEqual([{ incidents: [incident.id] }]);
  });

  it("with only a name is investigating, with the default text, no impact and no components", async () => {
    const incident = await expectStatus<V2Incident>(
      await t.call("POST", "/api/v1/incidents", { name: "Slow checkout" }),
      201,
    );
    expect(incident).toMatchObject({ name: "Slow checkout", status: "investigating", impact: "none", components: [] });
    expect(incident.incident_updates).toHaveLength(1);
    expect(incident.incident_updates[0]).toMatchObject({
      status: "investigating",
      body: "We are investigating this issue.",
      affected_components: [],
      deliver_notifications: true,
    });
  });

  it("takes its impact from the worst status it gives, unless staff set one", async () => {
    const a = await createComponent(t);
    const b = await createComponent(t);
    const derived = await openIncident(t, { components: { [a.id]: "degraded_performance", [b.id]: "partial_outage" } });
    expect(derived.impact).toBe("major");
    const chosen = await openIncident(t, { impact: "minor", components: { [a.id]: "major_outage" } });
    expect(chosen.impact).toBe("minor");
  });
});

describe("the life of an incident", () => {
  it("goes through identified and monitoring to resolved, which brings tix1 back to operational", async () => {
    const tix1 = await seededComponentId(t, "tix1");
    const opened = await openIncident(t, { name: "Webtix down on tix1", components: { [tix1]: "major_outage" } });

    t.clock.advance(minutes(15));
    const identified = await postUpdate(t, opened.id, {
      status: "identified",
      body: "Our provider rebooted the data centre of tix1 by mistake.",
    });
    expect(identified.status).toBe("identified");
    expect(identified.incident_updates.map((u) => u.status)).toEqual(["identified", "investigating"]);
    expect(identified.monitoring_at).toBeNull();

    t.clock.advance(minutes(30));
    const monitoringTime = t.clock();
    const monitoring = await postUpdate(t, opened.id, {
      status: "monitoring",
      body: "tix1 is back; we are watching it.",
    });
    expect(monitoring.status).toBe("monitoring");
    expect(Date.parse(monitoring.monitoring_at!)).toBe(monitoringTime);
    expect(monitoring.resolved_at).toBeNull();

    t.clock.advance(minutes(20));
    const resolvedTime = t.clock();
    const resolved = await postUpdate(t, opened.id, { status: "resolved", body: "All ticket sales run normally." });
    expect(resolved.status).toBe("resolved");
    expect(Date.parse(resolved.resolved_at!)).toBe(resolvedTime);
    expect(Date.parse(resolved.monitoring_at!)).toBe(monitoringTime);
    expect(resolved.incident_updates.map((u) => u.status)).toEqual([
      "resolved",
      "monitoring",
      "identified",
      "investigating",
    ]);
    expect(resolved.incident_updates[0]).toMatchObject({
      body: "All ticket sales run normally.",
      affected_components: [{ code: tix1, name: "tix1", old_status: "major_outage", new_status: "operational" }],
    });
    expect(resolved.incident_updates[1].affected_components).toEqual([]);
    expect(resolved.components).toMatchObject([{ id: tix1, status: "operational" }]);

    expect((await getComponent(t, tix1)).status).toBe("operational");
    const fetched = await expectStatus<V2Incident>(await t.call("GET", `/api/v1/incidents/${opened.id}`), 200);
    expect(fetched).toEqual(resolved);
  });

  it("lists its updates newest first, by display time", async () => {
    const incident = await openIncident(t, { started_at: "2026-11-25T11:00:00.000Z" });
    await postUpdate(t, incident.id, { body: "Second.", display_at: "2026-11-25T11:30:00.000Z" });
    await postUpdate(t, incident.id, { body: "Third.", display_at: "2026-11-25T11:45:00.000Z" });
    const fetched = await expectStatus<V2Incident>(await t.call("GET", `/api/v1/incidents/${incident.id}`), 200);
    expect(fetched.incident_updates.map((u) => u.body)).toEqual([
      "Third.",
      "Second.",
      "We are investigating this issue.",
    ]);
  });

  it("resolving does not restore a component that another open incident still holds", async () => {
    const server = await createComponent(t);
    const first = await openIncident(t, { components: { [server.id]: "major_outage" } });
    t.clock.advance(minutes(5));
    const second = await openIncident(t, { components: { [server.id]: "partial_outage" } });

    t.clock.advance(minutes(5));
    const resolvedFirst = await postUpdate(t, first.id, { status: "resolved" });
    expect(resolvedFirst.status).toBe("resolved");
    expect(resolvedFirst.incident_updates[0].affected_components).toEqual([]);
    expect((await getComponent(t, server.id)).status).toBe("partial_outage");

    t.clock.advance(minutes(5));
    await postUpdate(t, second.id, { status: "resolved" });
    expect((await getComponent(t, server.id)).status).toBe("operational");
  });

  it("moving an open incident straight to postmortem resolves it and restores its components", async () => {
    const server = await createComponent(t);
    const incident = await openIncident(t, { components: { [server.id]: "major_outage" } });
    t.clock.advance(minutes(90));
    const closed = await postUpdate(t, incident.id, {
      status: "postmortem",
      body: "What happened, and what we changed.",
    });
    expect(closed.status).toBe("postmortem");
    expect(closed.resolved_at).not.toBeNull();
    expect(Date.parse(closed.resolved_at!)).toBe(t.clock());
    expect((await getComponent(t, server.id)).status).toBe("operational");
  });

  it("POST /incidents/:id/resolve resolves it with the default text and restores its components", async () => {
    const server = await createComponent(t);
    const incident = await openIncident(t, { components: { [server.id]: "partial_outage" } });
    t.clock.advance(minutes(10));

    const res = await t.call("POST", `/api/v1/incidents/${incident.id}/resolve`, {});
    const resolved = await expectStatus<V2Incident>(res, 200);
    expect(resolved.status).toBe("resolved");
    expect(Date.parse(resolved.resolved_at!)).toBe(t.clock());
    expect(resolved.incident_updates[0]).toMatchObject({
      status: "resolved",
      body: "This incident has been resolved.",
      affected_components: [{ code: server.id, old_status: "partial_outage", new_status: "operational" }],
    });
    expect((await getComponent(t, server.id)).status).toBe("operational");
  });

  it("an update posted with notify false is marked not to be delivered", async () => {
    const incident = await openIncident(t);
    const updated = await postUpdate(t, incident.id, { status: "identified", body: "Quiet fix.", notify: false });
    expect(updated.incident_updates[0]).toMatchObject({ body: "Quiet fix.", deliver_notifications: false });
    expect(updated.incident_updates[1].deliver_notifications).toBe(true);

    const quiet = await openIncident(t, { notify: false });
    expect(quiet.incident_updates[0].deliver_notifications).toBe(false);
  });
});

describe("correcting and deleting", () => {
  it("editing an update's text changes that update only and leaves the components as they are", async () => {
    const server = await createComponent(t);
    const incident = await openIncident(t, { body: "tix1 is dwon.", components: { [server.id]: "major_outage" } });
    t.clock.advance(minutes(5));
    const withUpdate = await postUpdate(t, incident.id, { status: "identified", body: "Found it." });
    const typo = withUpdate.incident_updates[1];
    expect(typo.body).toBe("tix1 is dwon.");
    t.changes.length = 0;

    t.clock.advance(minutes(1));
    const res = await t.call("PATCH", `/api/v1/incidents/${incident.id}/updates/${typo.id}`, { body: "tix1 is down." });
    const edited = await expectStatus<V2Incident>(res, 200);
    expect(edited.incident_updates.map((u) => u.body)).toEqual(["Found it.", "tix1 is down."]);
    expect(edited.incident_updates[1]).toMatchObject({
      id: typo.id,
      status: "investigating",
      display_at: typo.display_at,
      affected_components: typo.affected_components,
    });
    expect(Date.parse(edited.incident_updates[1].updated_at)).toBe(t.clock());
    expect(edited.status).toBe("identified");
    expect((await getComponent(t, server.id)).status).toBe("major_outage");
    expect(t.changes).toEqual([{ incidents: [incident.id] }]);
  });

  it("editing an update of another incident answers 404", async () => {
    const one = await openIncident(t);
    const other = await openIncident(t);
    const res = await t.call("PATCH", `/api/v1/incidents/${one.id}/updates/${other.incident_updates[0].id}`, {
      body: "Hijacked.",
    });
    await expectError(res, 404, "not_found");
    const fetched = await expectStatus<V2Incident>(await t.call("GET", `/api/v1/incidents/${other.id}`), 200);
    expect(fetched.incident_updates[0].body).toBe("We are investigating this issue.");
  });

  it("deleting an incident answers 204, after which it is gone", async () => {
    const incident = await openIncident(t);
    const kept = await openIncident(t);
    t.changes.length = 0;

    const res = await t.call("DELETE", `/api/v1/incidents/${incident.id}`);
    expect(res.status).toBe(204);
    expect(await res.text()).toBe("");
    expect(t.changes).toEqual([{ deleted: [{ id: incident.id, startedAt: Date.parse(incident.started_at) }] }]);

    await expectError(await t.call("GET", `/api/v1/incidents/${incident.id}`), 404, "not_found");
    await expectError(await t.call("DELETE", `/api/v1/incidents/${incident.id}`), 404, "not_found");
    const list = await expectStatus<V2Incident[]>(await t.call("GET", "/api/v1/incidents"), 200);
    expect(list.map((i) => i.id)).toEqual([kept.id]);
  });
});

describe("reopening a resolved incident", () => {
  async function resolvedOutage() {
    const tix1 = await seededComponentId(t, "tix1");
    const incident = await openIncident(t, { components: { [tix1]: "major_outage" } });
    await expectStatus(await t.call("POST", `/api/v1/incidents/${incident.id}/resolve`, { body: "Back." }), 200);
    return { tix1, incident };
  }

  it("answers 409 to an update that is not resolved or postmortem, and changes nothing", async () => {
    const { incident } = await resolvedOutage();
    const before = await expectStatus<V2Incident>(await t.call("GET", `/api/v1/incidents/${incident.id}`), 200);
    const outboxBefore = t.changes.length;
    for (const status of ["investigating", "identified", "monitoring"]) {
      const res = await t.call("POST", `/api/v1/incidents/${incident.id}/updates`, { status, body: "Again?" });
      const error = await expectError(res, 409, "conflict");
      expect(error.message).toMatch(/"reopen": true/);
    }
    const after = await expectStatus<V2Incident>(await t.call("GET", `/api/v1/incidents/${incident.id}`), 200);
    expect(after).toEqual(before);
    expect(t.changes.length).toBe(outboxBefore);
  });

  it("takes a postmortem, or a note that keeps it resolved, without reopening", async () => {
    const { incident } = await resolvedOutage();
    expect((await postUpdate(t, incident.id, { body: "A note after the fact." })).status).toBe("resolved");
    expect((await postUpdate(t, incident.id, { status: "postmortem", body: "What happened." })).status).toBe(
      "postmortem",
    );
  });

  it('reopens when the request says "reopen": true', async () => {
    const { tix1, incident } = await resolvedOutage();
    const reopened = await postUpdate(t, incident.id, {
      status: "identified",
      body: "It failed again.",
      reopen: true,
      components: { [tix1]: "major_outage" },
    });
    expect(reopened.status).toBe("identified");
    expect(reopened.resolved_at).toBeNull();
    expect((await getComponent(t, tix1)).status).toBe("major_outage");
  });
});
