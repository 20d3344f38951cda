import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type openApiDocument, operations } from "@/api/openapi";
import { makeApp } from "../support/app";
import {
  type ApiKeyAnswer,
  type CreatedApiKey,
  type ErrorAnswer,
  expectError,
  expectStatus,
  json,
  type TestApp,
} from "../support/factories";

let t: TestApp;
beforeEach(async () => {
  t = await makeApp();
});
afterEach(async () => {
  await t.cleanup();
});

/** A request body's JSON Schema, as the tests below read it. */
type BodySchema = {
  type: string;
  required?: string[];
  additionalProperties?: boolean;
  properties: Record<string, { enum?: string[] }>;
};
type OpenApiOperation = {
  summary: string;
  parameters: { name: string; in: string }[];
  requestBody?: { content: { "application/json": { schema: BodySchema } } };
  responses: { default: { content: { "application/json": { schema: { required: string[] } } } } };
};
/** The OpenAPI document: openApiDocument's own type, with the operations it builds untyped written out. */
type OpenApiDocument = Omit<ReturnType<typeof openApiDocument>, "paths"> & {
  paths: Record<string, Record<string, OpenApiOperation>>;
};

const bearer = (key: string) => ({ scope: null, headers: { authorization: `Bearer ${key}` } });

async function createKey(fields: Record<string, unknown>) {
  return expectStatus<CreatedApiKey>(await t.call("POST", "/api/v1/api-keys", fields), 201);
}

describe("API keys", () => {
  it("an admin creates a key; the full key is in the create answer and never in the list", async () => {
    const created = await createKey({ name: "Ops laptop", scopes: ["write"] });
    expect(created).toMatchObject({ name: "Ops laptop", scopes: ["write"], last_used_at: null, revoked_at: null });
    expect(Date.parse(created.created_at)).toBe(t.clock());
    expect(created.key).toMatch(new RegExp(`^mq_${created.id}_[A-Za-z0-9_-]{16,}$`));
    const secret = created.key.slice(`mq_${created.id}_`.length);

    const res = await t.call("GET", "/api/v1/api-keys");
    const text = await res.clone().text();
    const list = await expectStatus<ApiKeyAnswer[]>(res, 200);
    const listed = list.find((k) => k.id === created.id);
    expect(listed).toEqual({
      id: created.id,
      name: "Ops laptop",
      scopes: ["write"],
      created_at: created.created_at,
      last_used_at: null,
      revoked_at: null,
    });
    for (const k of list) expect(k).not.toHaveProperty("key");
    expect(text).not.toContain(secret);
    expect(text).not.toContain("secret");
  });

  it("a key gets read and write scopes when none are given", async () => {
    const created = await createKey({ name: "Default scopes" });
    expect(created.scopes).toEqual(["read", "write"]);
  });

  it("a read key reads but cannot write", async () => {
    const { key } = await createKey({ name: "Dashboard", scopes: ["read"] });
    expect((await t.call("GET", "/api/v1/components", undefined, bearer(key))).status).toBe(200);
    expect((await t.call("GET", "/api/v1/incidents", undefined, bearer(key))).status).toBe(200);
    await expectError(await t.call("POST", "/api/v1/incidents", { name: "Nope" }, bearer(key)), 403, "forbidden");
    await expectError(await t.call("GET", "/api/v1/api-keys", undefined, bearer(key)), 403, "forbidden");
  });

  it("a write key reads and writes but cannot manage keys", async () => {
    const { key } = await createKey({ name: "Bot", scopes: ["write"] });
    expect((await t.call("GET", "/api/v1/components", undefined, bearer(key))).status).toBe(200);
    await expectStatus(await t.call("POST", "/api/v1/incidents", { name: "From the bot" }, bearer(key)), 201);
    await expectError(await t.call("GET", "/api/v1/api-keys", undefined, bearer(key)), 403, "forbidden");
    await expectError(
      await t.call("POST", "/api/v1/api-keys", { name: "Escalate", scopes: ["admin"] }, bearer(key)),
      403,
      "forbidden",
    );
  });

  it("an admin key created through the API can create keys itself", async () => {
    const { key } = await createKey({ name: "Second admin", scopes: ["admin"] });
    await expectStatus(await t.call("POST", "/api/v1/api-keys", { name: "Third" }, bearer(key)), 201);
  });

  it("using a key records when it was last used", async () => {
    const created = await createKey({ name: "Tracked", scopes: ["read"] });
    t.clock.advance(5 * 60_000);
    await t.call("GET", "/api/v1/components", undefined, bearer(created.key));
    const list = await expectStatus<ApiKeyAnswer[]>(await t.call("GET", "/api/v1/api-keys"), 200);
    const listed = list.find((k) => k.id === created.id);
    expect(Date.parse(listed!.last_used_at!)).toBe(t.clock());
  });

  it("a revoked key answers 401 afterwards, and the list shows when it was revoked", async () => {
    const created = await createKey({ name: "Lost phone", scopes: ["write"] });
    expect((await t.call("GET", "/api/v1/components", undefined, bearer(created.key))).status).toBe(200);

    t.clock.advance(60_000);
    const revoked = await expectStatus<ApiKeyAnswer>(await t.call("DELETE", `/api/v1/api-keys/${created.id}`), 200);
    expect(Date.parse(revoked.revoked_at!)).toBe(t.clock());
    expect(revoked).not.toHaveProperty("key");

    await expectError(await t.call("GET", "/api/v1/components", undefined, bearer(created.key)), 401, "unauthorized");
    await expectError(
      await t.call("POST", "/api/v1/incidents", { name: "After revoke" }, bearer(created.key)),
      401,
      "unauthorized",
    );
    const list = await expectStatus<ApiKeyAnswer[]>(await t.call("GET", "/api/v1/api-keys"), 200);
    expect(list.find((k) => k.id === created.id)!.revoked_at).toBe(revoked.revoked_at);
  });

  it("revoking an unknown key answers 404", async () => {
    await expectError(await t.call("DELETE", "/api/v1/api-keys/nosuchthing0"), 404, "not_found");
  });
});

describe("the OpenAPI document", () => {
  const apiPath = (path: string) => `/api/v1${path.replace(/\{\w+\}/g, "nosuchthing0")}`;

  it("is OpenAPI 3.1, served without a key, and describes every operation", async () => {
    const res = await t.call("GET", "/api/v1/openapi.json", undefined, { scope: null });
    const doc = await expectStatus<OpenApiDocument>(res, 200);
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
    expect(doc.servers[0].url).toMatch(/\/api\/v1$/);
    expect(doc.components.securitySchemes.bearer).toEqual({ type: "http", scheme: "bearer" });
    expect(doc.security).toEqual([{ bearer: [] }]);

    const documented = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => `${method} ${path}`),
    );
    expect(documented.sort()).toEqual(operations.map((op) => `${op.method} ${op.path}`).sort());

    for (const op of operations) {
      const entry = doc.paths[op.path][op.method];
      expect(entry.summary, `${op.method} ${op.path}`).toBe(op.summary);
      expect(entry.responses.default.content["application/json"].schema.required).toEqual(["error"]);
      const names = [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      expect(entry.parameters.map((p) => `${p.in}:${p.name}`)).toEqual(names.map((n) => `path:${n}`));
      if (op.body) {
        const schema = entry.requestBody!.content["application/json"].schema;
        expect(schema.type, `${op.method} ${op.path}`).toBe("object");
        expect(schema.properties).toBeTypeOf("object");
      } else {
        expect(entry.requestBody).toBeUndefined();
      }
    }
  });

  it("every documented operation has a route behind it", async () => {
    for (const op of operations) {
      const body = op.method === "post" || op.method === "patch" ? {} : undefined;
      const res = await t.call(op.method.toUpperCase(), apiPath(op.path), body);
      const label = `${op.method.toUpperCase()} ${op.path} answered ${res.status}`;
      if (res.status === 404) {
        const { error } = await json<ErrorAnswer>(res);
        expect(error.code, label).toBe("not_found");
        expect(error.message, label).not.toMatch(/^No route/);
      } else {
        expect(res.status, label).toBeLessThan(500);
      }
    }
  });

  it("the documented bodies are the ones the routes accept", async () => {
    const doc = await expectStatus<OpenApiDocument>(
      await t.call("GET", "/api/v1/openapi.json", undefined, { scope: null }),
      200,
    );
    const create = doc.paths["/incidents"].post.requestBody!.content["application/json"].schema;
    expect(create.required).toEqual(["name"]);
    expect(create.additionalProperties).toBe(false);
    expect(create.properties.status.enum).toEqual([
      "investigating",
      "identified",
      "monitoring",
      "resolved",
      "postmortem",
    ]);
    expect(Object.keys(create.properties).sort()).toEqual(
      ["body", "components", "impact", "name", "notify", "started_at", "status"].sort(),
    );
  });
});
