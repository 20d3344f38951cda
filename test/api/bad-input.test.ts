import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeApp } from "../support/app";
import {
  createComponent,
  dbSnapshot,
  expectError,
  type ApiKeyAnswer,
  type CreatedApiKey,
  expectStatus,
  openIncident,
  type TestApp,
} from "../support/factories";

let t: TestApp;
beforeEach(async () => {
  t = await makeApp();
});
afterEach(async () => {
  await t.cleanup();
});

/** Sends a request that must be refused: asserts the status, the error envelope, an unchanged database and no publish. */
async function expectRefused(send: () => Response | Promise<Response>, status: number, code: string) {
  await t.publisher.idle();
  t.changes.length = 0;
  const before = await dbSnapshot(t.deps);
  const error = await expectError(await send(), status, code);
  expect(await dbSnapshot(t.deps)).toEqual(before);
  expect(t.changes).toEqual([]);
  return error;
}

describe("malformed and invalid bodies", () => {
  it("malformed JSON answers 400 invalid_json", async () => {
    await expectRefused(() => t.call("POST", "/api/v1/incidents", '{"name": "Webtix down'), 400, "invalid_json");
    const server = await createComponent(t);
    await expectRefused(
      () => t.call("PATCH", `/api/v1/components/${server.id}`, "status=major_outage"),
      400,
      "invalid_json",
    );
  });

  it("a write whose body is not a JSON object answers 400 invalid_json: empty, an array, a bare value", async () => {
    const server = await createComponent(t);
    const incident = await openIncident(t);
    const writes: [string, string][] = [
      ["POST", "/api/v1/incidents"],
      ["PATCH", `/api/v1/incidents/${incident.id}`],
      ["POST", `/api/v1/incidents/${incident.id}/updates`],
      ["POST", `/api/v1/incidents/${incident.id}/resolve`],
      ["PATCH", `/api/v1/components/${server.id}`],
      ["POST", "/api/v1/maintenances"],
      ["POST", "/api/v1/subscribers/import"],
    ];
    for (const [method, path] of writes) {
      for (const body of [undefined, "", "  \n", "[]", '[{"name":"An array"}]', "null", "42", '"text"']) {
        const error = await expectRefused(() => t.call(method, path, body), 400, "invalid_json");
        expect(error.message).toMatch(/JSON object/);
      }
    }
  });

  it("curl's default form content type still carries a JSON body", async () => {
    const server = await createComponent(t);
    const res = await t.app.request(`/api/v1/components/${server.id}`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${t.keys.admin}`, "content-type": "application/x-www-form-urlencoded" },
      body: JSON.stringify({ status: "partial_outage" }),
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { status: string }).status).toBe("partial_outage");
  });

  it("an update or a PATCH that names nothing to change answers 422 and publishes nothing", async () => {
    const server = await createComponent(t);
    const incident = await openIncident(t);
    const error = await expectRefused(
      () => t.call("POST", `/api/v1/incidents/${incident.id}/updates`, { notify: true }),
      422,
      "validation_failed",
    );
    expect(error.message).toMatch(/an update needs/);
    for (const path of [`/api/v1/incidents/${incident.id}`, `/api/v1/components/${server.id}`, "/api/v1/page"]) {
      const refused = await expectRefused(() => t.call("PATCH", path, {}), 422, "validation_failed");
      expect(refused.message).toMatch(/at least one field/);
    }
  });

  it("a component key that is no component of this page, __proto__ and constructor included, answers 422 naming it", async () => {
    const incident = await openIncident(t);
    for (const key of ["__proto__", "constructor", "toString", "hasOwnProperty"]) {
      const body = `{"name":"Outage","components":{"${key}":"major_outage"}}`;
      const opened = await expectRefused(() => t.call("POST", "/api/v1/incidents", body), 422, "validation_failed");
      expect(opened.message).toContain(key);
      const updated = await expectRefused(
        () => t.call("POST", `/api/v1/incidents/${incident.id}/updates`, `{"components":{"${key}":"operational"}}`),
        422,
        "validation_failed",
      );
      expect(updated.message).toContain(key);
    }
    // The escaped spelling parses to the same key.
    const escaped = await expectRefused(
      () => t.call("POST", "/api/v1/incidents", '{"name":"Outage","components":{"\\u005f_proto__":"major_outage"}}'),
      422,
      "validation_failed",
    );
    expect(escaped.message).toContain("__proto__");
    // Anywhere else in a body, too.
    await expectRefused(
      () => t.call("POST", "/api/v1/incidents", '{"name":"Outage","__proto__":{"notify":false}}'),
      422,
      "validation_failed",
    );
  });

  it("a field of the wrong type answers 422 validation_failed naming the field", async () => {
    const error = await expectRefused(
      () => t.call("POST", "/api/v1/incidents", { name: 42 }),
      422,
      "validation_failed",
    );
    expect(error.message).toMatch(/name/);
    const server = await createComponent(t);
    await expectRefused(
      () => t.call("PATCH", `/api/v1/components/${server.id}`, { showcase: "yes" }),
      422,
      "validation_failed",
    );
    await expectRefused(() => t.call("POST", "/api/v1/components/reorder", { ids: "all" }), 422, "validation_failed");
  });

  it("a status outside Statuspage's vocabulary answers 422", async () => {
    const server = await createComponent(t);
    await expectRefused(
      () => t.call("PATCH", `/api/v1/components/${server.id}`, { status: "down" }),
      422,
      "validation_failed",
    );
    await expectRefused(
      () => t.call("POST", "/api/v1/incidents", { name: "Outage", status: "on_fire" }),
      422,
      "validation_failed",
    );
    await expectRefused(
      () => t.call("POST", "/api/v1/incidents", { name: "Outage", components: { [server.id]: "down" } }),
      422,
      "validation_failed",
    );
    const incident = await openIncident(t);
    await expectRefused(
      () => t.call("POST", `/api/v1/incidents/${incident.id}/updates`, { status: "completed" }),
      422,
      "validation_failed",
    );
  });

  it("an unknown field answers 422, since the schemas are strict", async () => {
    await expectRefused(
      () => t.call("POST", "/api/v1/incidents", { name: "Outage", severity: "high" }),
      422,
      "validation_failed",
    );
    const server = await createComponent(t);
    await expectRefused(
      () => t.call("PATCH", `/api/v1/components/${server.id}`, { colour: "red" }),
      422,
      "validation_failed",
    );
  });

  it("an unknown component id in the body answers 422 and changes no other component", async () => {
    const server = await createComponent(t);
    const error = await expectRefused(
      () =>
        t.call("POST", "/api/v1/incidents", {
          name: "Outage",
          components: { [server.id]: "major_outage", nosuchthing0: "major_outage" },
        }),
      422,
      "validation_failed",
    );
    expect(error.message).toContain("nosuchthing0");
    const incident = await openIncident(t);
    await expectRefused(
      () => t.call("POST", `/api/v1/incidents/${incident.id}/updates`, { components: { nosuchthing0: "operational" } }),
      422,
      "validation_failed",
    );
    await expectRefused(
      () =>
        t.call("POST", "/api/v1/maintenances", {
          name: "Upgrade",
          scheduled_for: "2026-12-01T22:00:00Z",
          scheduled_until: "2026-12-01T23:00:00Z",
          components: ["nosuchthing0"],
        }),
      422,
      "validation_failed",
    );
    await expectRefused(
      () => t.call("POST", "/api/v1/components", { name: "Orphan", group_id: "nosuchgroup0" }),
      422,
      "validation_failed",
    );
  });

  it("a maintenance that ends before it starts answers 422", async () => {
    const error = await expectRefused(
      () =>
        t.call("POST", "/api/v1/maintenances", {
          name: "Backwards",
          scheduled_for: "2026-12-01T23:00:00Z",
          scheduled_until: "2026-12-01T22:00:00Z",
        }),
      422,
      "validation_failed",
    );
    expect(error.message).toMatch(/scheduled_until/);
  });

  it("a body over 64 KB answers 413 payload_too_large", async () => {
    const body = JSON.stringify({ name: "Too long", body: "x".repeat(65 * 1024) });
    await expectRefused(() => t.call("POST", "/api/v1/incidents", body), 413, "payload_too_large");
  });
});

describe("unknown ids in the path", () => {
  it("an unknown incident answers 404 not_found for reads, updates, edits and deletes", async () => {
    const missing = "nosuchthing0";
    await expectRefused(() => t.call("GET", `/api/v1/incidents/${missing}`), 404, "not_found");
    await expectRefused(
      () => t.call("POST", `/api/v1/incidents/${missing}/updates`, { status: "identified" }),
      404,
      "not_found",
    );
    await expectRefused(() => t.call("POST", `/api/v1/incidents/${missing}/resolve`, {}), 404, "not_found");
    await expectRefused(() => t.call("PATCH", `/api/v1/incidents/${missing}`, { name: "Renamed" }), 404, "not_found");
    await expectRefused(() => t.call("DELETE", `/api/v1/incidents/${missing}`), 404, "not_found");
    const incident = await openIncident(t);
    await expectRefused(
      () => t.call("PATCH", `/api/v1/incidents/${incident.id}/updates/${missing}`, { body: "Edited." }),
      404,
      "not_found",
    );
  });

  it("a maintenance is not an incident, nor an incident a maintenance", async () => {
    const incident = await openIncident(t);
    await expectRefused(() => t.call("GET", `/api/v1/maintenances/${incident.id}`), 404, "not_found");
    await expectRefused(() => t.call("DELETE", `/api/v1/maintenances/${incident.id}`), 404, "not_found");
  });

  it("an unknown component or group answers 404", async () => {
    await expectRefused(() => t.call("GET", "/api/v1/components/nosuchthing0"), 404, "not_found");
    await expectRefused(
      () => t.call("PATCH", "/api/v1/components/nosuchthing0", { status: "major_outage" }),
      404,
      "not_found",
    );
    await expectRefused(() => t.call("DELETE", "/api/v1/components/nosuchthing0"), 404, "not_found");
    await expectRefused(() => t.call("PATCH", "/api/v1/groups/nosuchthing0", { name: "Renamed" }), 404, "not_found");
    await expectRefused(() => t.call("DELETE", "/api/v1/groups/nosuchthing0"), 404, "not_found");
  });
});

describe("keys and scopes", () => {
  it("a request without a key answers 401", async () => {
    await expectRefused(() => t.call("GET", "/api/v1/components", undefined, { scope: null }), 401, "unauthorized");
    await expectRefused(
      () => t.call("POST", "/api/v1/incidents", { name: "Anonymous" }, { scope: null }),
      401,
      "unauthorized",
    );
  });

  it("a wrong key answers 401", async () => {
    const wrongSecret = t.keys.admin.replace(/_[^_]+$/, "_" + "0".repeat(48));
    for (const key of [wrongSecret, "mq_000000000000_" + "a".repeat(48), "not-a-key"]) {
      await expectRefused(
        () =>
          t.call(
            "POST",
            "/api/v1/incidents",
            { name: "Intruder" },
            { scope: null, headers: { authorization: `Bearer ${key}` } },
          ),
        401,
        "unauthorized",
      );
    }
    await expectRefused(
      () => t.call("GET", "/api/v1/components", undefined, { scope: null, headers: { authorization: t.keys.admin } }),
      401,
      "unauthorized",
    );
  });

  it("a revoked key answers 401", async () => {
    const created = await expectStatus<CreatedApiKey>(
      await t.call("POST", "/api/v1/api-keys", { name: "Laptop", scopes: ["write"] }),
      201,
    );
    const as = (key: string) => ({ scope: null, headers: { authorization: `Bearer ${key}` } });
    expect((await t.call("GET", "/api/v1/components", undefined, as(created.key))).status).toBe(200);
    await expectStatus(await t.call("DELETE", `/api/v1/api-keys/${created.id}`), 200);

    await expectRefused(() => t.call("GET", "/api/v1/components", undefined, as(created.key)), 401, "unauthorized");
    await expectRefused(
      () => t.call("POST", "/api/v1/incidents", { name: "Late" }, as(created.key)),
      401,
      "unauthorized",
    );
  });

  it("a read key cannot write: 403", async () => {
    const server = await createComponent(t);
    const read = { scope: "read" as const };
    await expectRefused(() => t.call("POST", "/api/v1/incidents", { name: "Nope" }, read), 403, "forbidden");
    await expectRefused(
      () => t.call("PATCH", `/api/v1/components/${server.id}`, { status: "major_outage" }, read),
      403,
      "forbidden",
    );
    await expectRefused(() => t.call("DELETE", `/api/v1/components/${server.id}`, undefined, read), 403, "forbidden");
  });

  it("a write key cannot manage API keys or the page: 403", async () => {
    const write = { scope: "write" as const };
    await expectRefused(() => t.call("GET", "/api/v1/api-keys", undefined, write), 403, "forbidden");
    await expectRefused(
      () => t.call("POST", "/api/v1/api-keys", { name: "Escalation", scopes: ["admin"] }, write),
      403,
      "forbidden",
    );
    const keys = await expectStatus<ApiKeyAnswer[]>(await t.call("GET", "/api/v1/api-keys"), 200);
    await expectRefused(() => t.call("DELETE", `/api/v1/api-keys/${keys[0].id}`, undefined, write), 403, "forbidden");
    await expectRefused(() => t.call("PATCH", "/api/v1/page", { name: "Hijacked" }, write), 403, "forbidden");
  });
});

describe("unknown routes", () => {
  it("an unknown route under /api/v1 answers 404 in JSON", async () => {
    const error = await expectRefused(() => t.call("GET", "/api/v1/nothing-here"), 404, "not_found");
    expect(error.message).toMatch(/^No route/);
    await expectRefused(() => t.call("POST", "/api/v1/nothing-here", { name: "x" }), 404, "not_found");
  });

  it("an unknown route under /api/v1 answers 404 whatever the key's scope", async () => {
    await expectRefused(() => t.call("GET", "/api/v1/nothing-here", undefined, { scope: "read" }), 404, "not_found");
    await expectRefused(
      () => t.call("POST", "/api/v1/nothing-here", { name: "x" }, { scope: "write" }),
      404,
      "not_found",
    );
  });

  it("an unknown route at the top level answers 404 in JSON", async () => {
    await expectRefused(() => t.call("GET", "/nothing-here", undefined, { scope: null }), 404, "not_found");
    await expectRefused(() => t.call("POST", "/nothing-here", { a: 1 }, { scope: null }), 404, "not_found");
  });
});
