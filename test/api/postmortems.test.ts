import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeApp } from "../support/app";
import {
  dbSnapshot,
  expectError,
  expectStatus,
  openIncident,
  postUpdate,
  seededComponentId,
  type TestApp,
} from "../support/factories";

type Postmortem = {
  incident_id: string;
  incident_status: string;
  body: string | null;
  body_updated_at: string | null;
  published: boolean;
  published_body: string | null;
  published_at: string | null;
  notified_subscribers: boolean;
  notified_at: string | null;
};

let t: TestApp;
beforeEach(async () => {
  t = await makeApp();
});
afterEach(async () => {
  await t.cleanup();
});

const path = (id: string, rest = "") => `/api/v1/incidents/${id}/postmortem${rest}`;

async function resolvedIncident() {
  const tix1 = await seededComponentId(t, "tix1");
  const incident = await openIncident(t, { name: "Webtix down on tix1", components: { [tix1]: "major_outage" } });
  await postUpdate(t, incident.id, { status: "resolved", notify: false });
  return incident.id;
}

describe("postmortem drafts", () => {
  it("saves, shows and replaces a draft of a resolved incident", async () => {
    const id = await resolvedIncident();
    const saved = await expectStatus<Postmortem>(
      await t.call("PUT", path(id), { body: "## What happened\nA reboot." }),
      200,
    );
    expect(saved).toMatchObject({
      incident_id: id,
      incident_status: "resolved",
      body: "## What happened\nA reboot.",
      published: false,
      published_body: null,
      published_at: null,
      notified_subscribers: false,
    });
    t.clock.advance(60_000);
    await t.call("PUT", path(id), { body: "Second draft." });
    const got = await expectStatus<Postmortem>(await t.call("GET", path(id), undefined, { scope: "read" }), 200);
    expect(got.body).toBe("Second draft.");
    expect(Date.parse(got.body_updated_at!)).toBe(t.clock());
  });

  it("refuses a draft for an open incident with 409 incident_not_resolved, and changes nothing", async () => {
    const incident = await openIncident(t, { name: "Slow checkout" });
    const before = await dbSnapshot(t.deps);
    await expectError(await t.call("PUT", path(incident.id), { body: "Too early." }), 409, "incident_not_resolved");
    expect(await dbSnapshot(t.deps)).toEqual(before);
  });

  it("refuses bad input with 422 and changes nothing", async () => {
    const id = await resolvedIncident();
    const before = await dbSnapshot(t.deps);
    await expectError(await t.call("PUT", path(id), { body: "   " }), 422, "validation_failed");
    await expectError(await t.call("PUT", path(id), { body: "x".repeat(20_001) }), 422, "validation_failed");
    await expectError(await t.call("PUT", path(id), { body: "ok", extra: 1 }), 422, "validation_failed");
    await expectError(await t.call("PUT", path(id), { body: 5 }), 422, "validation_failed");
    await expectError(await t.call("PUT", path(id), "not json"), 400, "invalid_json");
    await expectError(await t.call("POST", path(id, "/publish"), { notify: "yes" }), 422, "validation_failed");
    expect(await dbSnapshot(t.deps)).toEqual(before);
  });

  it("answers 404 for an unknown incident, a maintenance, or an incident without a draft", async () => {
    await expectError(await t.call("PUT", path("nosuchincident"), { body: "x" }), 404, "not_found");
    const id = await resolvedIncident();
    await expectError(await t.call("GET", path(id)), 404, "not_found");
    await expectError(await t.call("POST", path(id, "/publish"), { notify: false }), 404, "not_found");
  });

  it("needs the write scope to change and a key to read", async () => {
    const id = await resolvedIncident();
    await expectError(await t.call("PUT", path(id), { body: "x" }, { scope: "read" }), 403, "forbidden");
    await expectError(await t.call("GET", path(id), undefined, { scope: null }), 401, "unauthorized");
  });

  it("drops a draft; a published one must be unpublished first", async () => {
    const id = await resolvedIncident();
    await t.call("PUT", path(id), { body: "Draft." });
    await t.call("POST", path(id, "/publish"), { notify: false });
    await expectError(await t.call("DELETE", path(id)), 409, "conflict");
    await t.call("POST", path(id, "/unpublish"));
    expect((await t.call("DELETE", path(id))).status).toBe(204);
    await expectError(await t.call("GET", path(id)), 404, "not_found");
  });

  it("records saving, publishing, unpublishing and dropping in the audit log", async () => {
    const id = await resolvedIncident();
    await t.call("PUT", path(id), { body: "Draft." });
    await t.call("POST", path(id, "/publish"), { notify: false });
    await t.call("POST", path(id, "/unpublish"));
    await t.call("DELETE", path(id));
    const audit = await expectStatus<{ entries: { action: string; resource_id: string }[] }>(
      await t.call("GET", `/api/v1/audit?resource_type=incident`),
      200,
    );
    const actions = audit.entries.filter((e) => e.resource_id === id).map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining(["postmortem_save", "postmortem_publish", "postmortem_unpublish", "postmortem_delete"]),
    );
  });
});

describe("publishing a postmortem", () => {
  it("moves the incident to postmortem and back to resolved on unpublish", async () => {
    const id = await resolvedIncident();
    await t.call("PUT", path(id), { body: "The provider rebooted a data centre." });
    const published = await expectStatus<Postmortem>(
      await t.call("POST", path(id, "/publish"), { notify: false }),
      200,
    );
    expect(published).toMatchObject({
      incident_status: "postmortem",
      published: true,
      published_body: "The provider rebooted a data centre.",
      notified_subscribers: false,
    });
    expect(Date.parse(published.published_at!)).toBe(t.clock());
    const incident = await expectStatus<{ status: string; incident_updates: { status: string }[] }>(
      await t.call("GET", `/api/v1/incidents/${id}`),
      200,
    );
    expect(incident.status).toBe("postmortem");
    // Statuspage keeps the postmortem apart from the updates: the timeline is unchanged.
    expect(incident.incident_updates.map((u) => u.status)).toEqual(["resolved", "investigating"]);

    const unpublished = await expectStatus<Postmortem>(await t.call("POST", path(id, "/unpublish")), 200);
    expect(unpublished).toMatchObject({ incident_status: "resolved", published: false, published_body: null });
    expect(unpublished.body).toBe("The provider rebooted a data centre.");
    await expectError(await t.call("POST", path(id, "/unpublish")), 409, "conflict");
  });

  it("keeps a draft saved after publishing unseen until it is published again", async () => {
    const id = await resolvedIncident();
    await t.call("PUT", path(id), { body: "First text." });
    await t.call("POST", path(id, "/publish"), { notify: false });
    const edited = await expectStatus<Postmortem>(await t.call("PUT", path(id), { body: "Better text." }), 200);
    expect(edited).toMatchObject({ body: "Better text.", published_body: "First text." });
    const again = await expectStatus<Postmortem>(await t.call("POST", path(id, "/publish"), { notify: false }), 200);
    expect(again.published_body).toBe("Better text.");
  });

  it("refuses to publish for an incident reopened since", async () => {
    const id = await resolvedIncident();
    await t.call("PUT", path(id), { body: "Draft." });
    await postUpdate(t, id, { status: "investigating", reopen: true, notify: false });
    await expectError(await t.call("POST", path(id, "/publish"), { notify: false }), 409, "incident_not_resolved");
  });

  it("replays a retried publish with the same Idempotency-Key", async () => {
    const id = await resolvedIncident();
    await t.call("PUT", path(id), { body: "Draft." });
    const headers = { "idempotency-key": "publish-1" };
    const first = await t.call("POST", path(id, "/publish"), { notify: true }, { headers });
    const second = await t.call("POST", path(id, "/publish"), { notify: true }, { headers });
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect(await second.text()).toBe(await first.text());
  });
});
