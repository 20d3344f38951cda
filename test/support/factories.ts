import { expect } from "vitest";
import { getTableName } from "drizzle-orm";
import type { presentComponent, presentGroup, presentIncident } from "@/present/statuspage";
import type { Deps } from "@/api/services/deps";
import * as schema from "@/db/schema";
import type { makeApp } from "./app";

/** Small factories for API tests: each makes its rows through the staff API, as a user would. */

export type TestApp = Awaited<ReturnType<typeof makeApp>>;
/** The staff API's answers, typed by the presenters that make them: a test reads the fields clients read. */
export type V2Incident = ReturnType<typeof presentIncident>;
export type V2Component = ReturnType<typeof presentComponent>;
export type V2Group = ReturnType<typeof presentGroup>;
/** A maintenance: an incident with its window, `scheduled_for` and `scheduled_until`. */
export type V2Maintenance = Extract<V2Incident, { scheduled_for: unknown }>;

/** Answers without an exported presenter, written down as clients read them. */
export type ApiKeyAnswer = {
  id: string;
  name: string;
  scopes: string[];
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
};
/** The answer that creates a key: the only one with the full key in it. */
export type CreatedApiKey = ApiKeyAnswer & { key: string };
export type ApiError = { code: string; message: string };
export type ErrorAnswer = { error: ApiError };

/** Parses a JSON answer as the type the caller names; `unknown` unless it says what it expects. */
export async function json<T = unknown>(res: Response): Promise<T> {
  return JSON.parse(await res.text()) as T;
}

/** Asserts an answer's status and returns its body, parsed as the type the caller names. */
export async function expectStatus<T = unknown>(res: Response, status: number): Promise<T> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  return (text === "" ? null : JSON.parse(text)) as T;
}

/** Asserts the error envelope `{"error":{"code","message"}}` and returns the error. */
export async function expectError(res: Response, status: number, code: string): Promise<ApiError> {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  const body = JSON.parse(text);
  expect(Object.keys(body)).toEqual(["error"]);
  expect(body.error).toMatchObject({ code, message: expect.any(String) });
  expect(body.error.message.length).toBeGreaterThan(0);
  return body.error;
}

/** The id of a component of the seeded default page (tix1…tix5, Webtix, Wintix). */
export async function seededComponentId(t: TestApp, name: string): Promise<string> {
  const list = await json<V2Component[]>(await t.call("GET", "/api/v1/components"));
  const found = list.find((c) => c.name === name);
  if (!found) throw new Error(`no seeded component named ${name}`);
  return found.id;
}

let counter = 0;
const unique = (prefix: string) => `${prefix} ${++counter}`;

export async function createGroup(t: TestApp, fields: Record<string, unknown> = {}): Promise<V2Group> {
  return expectStatus(await t.call("POST", "/api/v1/groups", { name: unique("Group"), ...fields }), 201);
}

export async function createComponent(t: TestApp, fields: Record<string, unknown> = {}): Promise<V2Component> {
  return expectStatus(await t.call("POST", "/api/v1/components", { name: unique("Component"), ...fields }), 201);
}

export async function getComponent(t: TestApp, id: string): Promise<V2Component> {
  return expectStatus(await t.call("GET", `/api/v1/components/${id}`), 200);
}

export async function openIncident(t: TestApp, fields: Record<string, unknown> = {}): Promise<V2Incident> {
  return expectStatus(await t.call("POST", "/api/v1/incidents", { name: unique("Incident"), ...fields }), 201);
}

/** A saved incident template as the staff API answers it. */
export type IncidentTemplateAnswer = {
  id: string;
  name: string;
  title: string;
  body: string;
  status: string;
  components: Record<string, string>;
  notify: boolean;
  created_at: string;
  updated_at: string;
};

export async function createIncidentTemplate(
  t: TestApp,
  fields: Record<string, unknown> = {},
): Promise<IncidentTemplateAnswer> {
  const body = { name: unique("Template"), title: unique("Incident"), ...fields };
  return expectStatus(await t.call("POST", "/api/v1/incident-templates", body), 201);
}

export async function postUpdate(t: TestApp, incidentId: string, fields: Record<string, unknown>): Promise<V2Incident> {
  return expectStatus(await t.call("POST", `/api/v1/incidents/${incidentId}/updates`, fields), 201);
}

export async function scheduleMaintenance(t: TestApp, fields: Record<string, unknown> = {}): Promise<V2Maintenance> {
  return expectStatus(
    await t.call("POST", "/api/v1/maintenances", {
      name: unique("Maintenance"),
      scheduled_for: "2026-11-26T22:00:00.000Z",
      scheduled_until: "2026-11-27T02:00:00.000Z",
      ...fields,
    }),
    201,
  );
}

/** Every row of every table, to show that a rejected request changed nothing. Key use times are left out. */
export async function dbSnapshot(deps: Deps): Promise<Record<string, unknown[]>> {
  const tables = [
    schema.pageSettings,
    schema.componentGroups,
    schema.components,
    schema.componentStatusChanges,
    schema.incidents,
    schema.incidentUpdates,
    schema.incidentUpdateComponents,
    schema.incidentComponents,
    schema.apiKeys,
    schema.idempotencyKeys,
  ];
  const out: Record<string, unknown[]> = {};
  for (const table of tables) {
    const rows = (await deps.db.select().from(table)) as Record<string, unknown>[];
    out[getTableName(table)] = rows
      .map(({ lastUsedAt: _l, ...row }) => row)
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
  }
  return out;
}
