import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { incidentTemplates } from "@/db/schema";
import { makeApp } from "@/test/support/app";
import {
  createComponent,
  createIncidentTemplate,
  expectError,
  expectStatus,
  type IncidentTemplateAnswer,
  seededComponentId,
  type TestApp,
  type V2Incident,
} from "@/test/support/factories";

let t: TestApp;
beforeEach(async () => {
  t = await makeApp();
});
afterEach(async () => {
  await t.cleanup();
});

type Entry = { actor: { kind: string }; resource_type: string; resource_id: string | null; action: string };
const newest = async () =>
  (await expectStatus<{ entries: Entry[] }>(await t.call("GET", "/api/v1/audit?limit=1"), 200)).entries[0]!;
const rows = () => t.deps.db.select().from(incidentTemplates);

describe("incident templates in the staff API", () => {
  it("creates, lists, reads, changes and deletes a template, each change audited", async () => {
    const tix1 = await seededComponentId(t, "tix1");
    const created = await expectStatus<IncidentTemplateAnswer>(
      await t.call("POST", "/api/v1/incident-templates", {
        name: "Data centre down",
        title: "Webtix unavailable",
        body: "A data centre is down; sales on tix1 fail.",
        status: "identified",
        components: { [tix1]: "major_outage" },
        notify: false,
      }),
      201,
    );
    expect(Object.keys(created)).toEqual([
      "id",
      "name",
      "title",
      "body",
      "status",
      "components",
      "notify",
      "created_at",
      "updated_at",
    ]);
    expect(created).toMatchObject({
      name: "Data centre down",
      title: "Webtix unavailable",
      status: "identified",
      components: { [tix1]: "major_outage" },
      notify: false,
    });
    expect(await newest()).toMatchObject({
      resource_type: "incident_template",
      resource_id: created.id,
      action: "create",
    });

    const list = await expectStatus<IncidentTemplateAnswer[]>(await t.call("GET", "/api/v1/incident-templates"), 200);
    expect(list.map((x) => x.id)).toEqual([created.id]);

    const patched = await expectStatus<IncidentTemplateAnswer>(
      await t.call("PATCH", `/api/v1/incident-templates/${created.id}`, { notify: true, components: {} }),
      200,
    );
    expect(patched).toMatchObject({ notify: true, components: {}, title: "Webtix unavailable" });
    expect(await newest()).toMatchObject({ action: "update", resource_id: created.id });

    await expectStatus(await t.call("DELETE", `/api/v1/incident-templates/${created.id}`), 204);
    expect(await newest()).toMatchObject({ action: "delete", resource_id: created.id });
    await expectError(await t.call("GET", `/api/v1/incident-templates/${created.id}`), 404, "not_found");
  });

  it("fills in defaults: investigating, no components, notify on, an empty body", async () => {
    const created = await createIncidentTemplate(t, { name: "Plain", title: "Something is wrong" });
    expect(created).toMatchObject({ status: "investigating", components: {}, notify: true, body: "" });
  });

  it("refuses an unknown component id with 422 like incidents, and saves nothing", async () => {
    const error = await expectError(
      await t.call("POST", "/api/v1/incident-templates", {
        name: "Ghost",
        title: "Ghost down",
        components: { "no-such-component": "major_outage" },
      }),
      422,
      "validation_failed",
    );
    expect(error.message).toContain("Unknown component id: no-such-component");
    expect(await rows()).toEqual([]);
  });

  it("refuses bad fields, a second template of the same name and an empty patch, changing nothing", async () => {
    const first = await createIncidentTemplate(t, { name: "Taken" });
    const before = await rows();
    const bad = [
      { name: "", title: "x" },
      { name: "No title" },
      { name: "Bad status", title: "x", status: "exploded" },
      { name: "Bad component status", title: "x", components: { a: "on_fire" } },
      { name: "Extra", title: "x", colour: "red" },
    ];
    for (const body of bad) {
      await expectError(await t.call("POST", "/api/v1/incident-templates", body), 422, "validation_failed");
    }
    await expectError(
      await t.call("POST", "/api/v1/incident-templates", { name: "Taken", title: "x" }),
      409,
      "conflict",
    );
    const other = await createIncidentTemplate(t);
    await expectError(
      await t.call("PATCH", `/api/v1/incident-templates/${other.id}`, { name: "Taken" }),
      409,
      "conflict",
    );
    await expectError(await t.call("PATCH", `/api/v1/incident-templates/${first.id}`, {}), 422, "validation_failed");
    await expectError(await t.call("PATCH", "/api/v1/incident-templates/nope", { title: "x" }), 404, "not_found");
    expect((await rows()).filter((r) => r.id !== other.id)).toEqual(before);
  });

  it("answers two racing creates of one name with 201 and 409, never a server error", async () => {
    const body = { name: "Raced", title: "Webtix down" };
    const answers = await Promise.all([
      t.call("POST", "/api/v1/incident-templates", body),
      t.call("POST", "/api/v1/incident-templates", body),
    ]);
    expect(answers.map((r) => r.status).sort()).toEqual([201, 409]);
    expect(await rows()).toHaveLength(1);
  });

  it("lets read keys list and read templates, and only write keys change them", async () => {
    const template = await createIncidentTemplate(t);
    await expectStatus(await t.call("GET", "/api/v1/incident-templates", undefined, { scope: "read" }), 200);
    await expectStatus(
      await t.call("GET", `/api/v1/incident-templates/${template.id}`, undefined, { scope: "read" }),
      200,
    );
    const attempts: [string, string, unknown][] = [
      ["POST", "/api/v1/incident-templates", { name: "By reader", title: "x" }],
      ["PATCH", `/api/v1/incident-templates/${template.id}`, { title: "Changed by reader" }],
      ["DELETE", `/api/v1/incident-templates/${template.id}`, undefined],
    ];
    for (const [method, path, body] of attempts) {
      await expectError(await t.call(method, path, body, { scope: "read" }), 403, "forbidden");
    }
    await expectError(
      await t.call("GET", "/api/v1/incident-templates", undefined, { scope: null }),
      401,
      "unauthorized",
    );
    expect(await expectStatus(await t.call("GET", `/api/v1/incident-templates/${template.id}`), 200)).toEqual(template);
    await expectStatus(
      await t.call("PATCH", `/api/v1/incident-templates/${template.id}`, { title: "By writer" }, { scope: "write" }),
      200,
    );
  });

  it("drops a component deleted after the template was saved, so the template still opens an incident", async () => {
    const doomed = await createComponent(t, { name: "Old box" });
    const webtix = await seededComponentId(t, "Webtix");
    const template = await createIncidentTemplate(t, {
      components: { [doomed.id]: "major_outage", [webtix]: "partial_outage" },
    });
    await expectStatus(await t.call("DELETE", `/api/v1/components/${doomed.id}`), 204);
    const read = await expectStatus<IncidentTemplateAnswer>(
      await t.call("GET", `/api/v1/incident-templates/${template.id}`),
      200,
    );
    expect(read.components).toEqual({ [webtix]: "partial_outage" });
    const incident = await expectStatus<V2Incident>(
      await t.call("POST", "/api/v1/incidents", {
        name: read.title,
        status: read.status,
        components: read.components,
        notify: read.notify,
      }),
      201,
    );
    expect(incident.components.map((c) => c.id)).toEqual([webtix]);
  });

  it("is described in the OpenAPI document", async () => {
    const doc = await expectStatus<{ paths: Record<string, Record<string, unknown>> }>(
      await t.call("GET", "/api/v1/openapi.json", undefined, { scope: null }),
      200,
    );
    expect(Object.keys(doc.paths["/incident-templates"]!).sort()).toEqual(["get", "post"]);
    expect(Object.keys(doc.paths["/incident-templates/{id}"]!).sort()).toEqual(["delete", "get", "patch"]);
  });
});
