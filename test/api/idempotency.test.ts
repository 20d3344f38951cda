import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeApp } from "../support/app";
import {
  createComponent,
  expectError,
  expectStatus,
  getComponent,
  json,
  type TestApp,
  type V2Incident,
} from "../support/factories";

let t: TestApp;
beforeEach(async () => {
  t = await makeApp();
});
afterEach(async () => {
  await t.cleanup();
});

const incidentIds = async () =>
  (await expectStatus<V2Incident[]>(await t.call("GET", "/api/v1/incidents"), 200)).map((i) => i.id);

const post = (body: unknown, key: string) =>
  t.call("POST", "/api/v1/incidents", body, { headers: { "idempotency-key": key } });

describe("Idempotency-Key on POSTs", () => {
  it("a retry with the same key and body makes one incident and replays the first answer", async () => {
    const body = { name: "Webtix down on tix1", body: "Looking into it." };
    const first = await post(body, "retry-1");
    expect(first.status).toBe(201);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    const firstBody = await first.text();

    const second = await post(body, "retry-1");
    expect(second.status).toBe(201);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect(second.headers.get("content-type")).toMatch(/^application\/json/);
    expect(JSON.parse(await second.text())).toEqual(JSON.parse(firstBody));

    expect(await incidentIds()).toEqual([JSON.parse(firstBody).id]);
    expect(t.changes).toHaveLength(1);
  });

  it("a retry does not change components a second time", async () => {
    const server = await createComponent(t);
    const body = { name: "Outage", components: { [server.id]: "major_outage" } };
    await expectStatus(await post(body, "retry-2"), 201);
    await t.call("PATCH", `/api/v1/components/${server.id}`, { status: "degraded_performance" });

    const replay = await post(body, "retry-2");
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect((await getComponent(t, server.id)).status).toBe("degraded_performance");
  });

  it("the same key with a different body answers 422 idempotency_mismatch and makes nothing", async () => {
    const created = await expectStatus<V2Incident>(await post({ name: "First" }, "retry-3"), 201);
    t.changes.length = 0;

    await expectError(await post({ name: "Second" }, "retry-3"), 422, "idempotency_mismatch");
    expect(await incidentIds()).toEqual([created.id]);
    expect(t.changes).toEqual([]);
  });

  it("two concurrent requests with the same key make exactly one incident", async () => {
    const body = { name: "Double click" };
    const answers = await Promise.all([post(body, "retry-4"), post(body, "retry-4")]);
    const created = answers.filter((a) => a.status === 201 && a.headers.get("idempotent-replayed") === null);
    expect(created).toHaveLength(1);
    for (const other of answers.filter((a) => !created.includes(a))) {
      // Either the first answer replayed, or a conflict telling the client to retry later.
      if (other.status === 201) expect(other.headers.get("idempotent-replayed")).toBe("true");
      else await expectError(other, 409, "conflict");
    }
    const ids = await incidentIds();
    expect(ids).toHaveLength(1);
    expect(ids[0]).toBe((await json<V2Incident>(created[0]!)).id);
  });

  it("a key is the caller's own: another API key with the same Idempotency-Key makes its own incident", async () => {
    const body = { name: "Shared key" };
    await expectStatus(await post(body, "retry-5"), 201);
    const other = await t.call("POST", "/api/v1/incidents", body, {
      scope: "write",
      headers: { "idempotency-key": "retry-5" },
    });
    expect(other.status).toBe(201);
    expect(other.headers.get("idempotent-replayed")).toBeNull();
    expect(await incidentIds()).toHaveLength(2);
  });

  it("a rejected request does not use up its key: the corrected request with the same key goes through", async () => {
    await expectError(
      await post({ name: "Bad", components: { nope00000000: "major_outage" } }, "retry-6"),
      422,
      "validation_failed",
    );
    const fixed = await post({ name: "Good" }, "retry-6");
    expect(fixed.status).toBe(201);
    expect(fixed.headers.get("idempotent-replayed")).toBeNull();
    expect(await incidentIds()).toHaveLength(1);
  });

  it("a retried POST that answered 204 replays the 204", async () => {
    const a = await createComponent(t);
    const b = await createComponent(t);
    const reorder = () =>
      t.call(
        "POST",
        "/api/v1/components/reorder",
        { ids: [b.id, a.id] },
        { headers: { "idempotency-key": "retry-7" } },
      );
    const first = await reorder();
    expect(first.status).toBe(204);
    const second = await reorder();
    expect(second.status, await second.clone().text()).toBe(204);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect(await second.text()).toBe("");
    expect((await getComponent(t, b.id)).position).toBe(0);
  });
});
