import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { updateComponent } from "@/api/services/components";
import { applyDetection } from "@/api/automation/apply";
import { adminSessions, auditLog } from "@/db/schema";
import { makeApp, publicDns } from "@/test/support/app";
import { consoleBrowser } from "@/test/support/console-browser";
import {
  type CreatedApiKey,
  createComponent,
  createGroup,
  createIncidentTemplate,
  expectError,
  expectStatus,
  getComponent,
  openIncident,
  scheduleMaintenance,
  seededComponentId,
  type TestApp,
} from "@/test/support/factories";

let t: TestApp;
beforeEach(async () => {
  t = await makeApp({ resolve: publicDns });
});
afterEach(async () => {
  await t.cleanup();
});

type AuditAnswer = {
  entries: {
    id: number;
    at: string;
    actor: { kind: string; key_id: string | null; name: string };
    resource_type: string;
    resource_id: string | null;
    action: string;
    before: Record<string, unknown> | null;
    after: Record<string, unknown> | null;
    fields: string[];
  }[];
  next_cursor: string | null;
};

const keyId = (key: string) => /^mq_([a-z0-9]{12})_/.exec(key)![1]!;
const audit = async (query = "") => expectStatus<AuditAnswer>(await t.call("GET", `/api/v1/audit${query}`), 200);
const newest = async () => (await audit("?limit=1")).entries[0]!;

type Write = { path: string; body?: unknown; resource_type: string; resource_id?: string | null; action: string };

/**
 * One request for every write route of the staff API, keyed as Hono lists its routes. A write route added without an
 * entry here fails the first test below, so a new route cannot skip the audit log unnoticed.
 */
const writes: Record<string, () => Promise<Write>> = {
  "POST /api/v1/components": async () => ({
    path: "/api/v1/components",
    body: { name: "tix6" },
    resource_type: "component",
    action: "create",
  }),
  "POST /api/v1/components/reorder": async () => ({
    path: "/api/v1/components/reorder",
    body: { ids: [await seededComponentId(t, "Webtix")] },
    resource_type: "component",
    resource_id: null,
    action: "reorder",
  }),
  "PATCH /api/v1/components/:id": async () => {
    const id = await seededComponentId(t, "tix1");
    const body = { status: "major_outage" };
    return { path: `/api/v1/components/${id}`, body, resource_type: "component", resource_id: id, action: "update" };
  },
  "DELETE /api/v1/components/:id": async () => {
    const { id } = await createComponent(t);
    return { path: `/api/v1/components/${id}`, resource_type: "component", resource_id: id, action: "delete" };
  },
  "POST /api/v1/groups": async () => ({
    path: "/api/v1/groups",
    body: { name: "Sales" },
    resource_type: "group",
    action: "create",
  }),
  "POST /api/v1/groups/reorder": async () => ({
    path: "/api/v1/groups/reorder",
    body: { ids: [(await createGroup(t)).id] },
    resource_type: "group",
    resource_id: null,
    action: "reorder",
  }),
  "PATCH /api/v1/groups/:id": async () => {
    const { id } = await createGroup(t);
    return {
      path: `/api/v1/groups/${id}`,
      body: { name: "Renamed" },
      resource_type: "group",
      resource_id: id,
      action: "update",
    };
  },
  "DELETE /api/v1/groups/:id": async () => {
    const { id } = await createGroup(t);
    return { path: `/api/v1/groups/${id}`, resource_type: "group", resource_id: id, action: "delete" };
  },
  "POST /api/v1/incidents": async () => ({
    path: "/api/v1/incidents",
    body: { name: "Webtix down" },
    resource_type: "incident",
    action: "create",
  }),
  "PATCH /api/v1/incidents/:id": async () => {
    const { id } = await openIncident(t);
    const body = { impact: "major" };
    return { path: `/api/v1/incidents/${id}`, body, resource_type: "incident", resource_id: id, action: "edit" };
  },
  "DELETE /api/v1/incidents/:id": async () => {
    const { id } = await openIncident(t);
    return { path: `/api/v1/incidents/${id}`, resource_type: "incident", resource_id: id, action: "delete" };
  },
  "POST /api/v1/incidents/:id/updates": async () => {
    const { id } = await openIncident(t);
    const body = { status: "identified" };
    return {
      path: `/api/v1/incidents/${id}/updates`,
      body,
      resource_type: "incident",
      resource_id: id,
      action: "post_update",
    };
  },
  "POST /api/v1/incidents/:id/resolve": async () => {
    const { id } = await openIncident(t);
    return {
      path: `/api/v1/incidents/${id}/resolve`,
      body: {},
      resource_type: "incident",
      resource_id: id,
      action: "resolve",
    };
  },
  "PUT /api/v1/incidents/:id/postmortem": async () => {
    const id = await resolvedIncident();
    const body = { body: "What happened." };
    return {
      path: `/api/v1/incidents/${id}/postmortem`,
      body,
      resource_type: "incident",
      resource_id: id,
      action: "postmortem_save",
    };
  },
  "DELETE /api/v1/incidents/:id/postmortem": async () => {
    const id = await resolvedIncident();
    await t.call("PUT", `/api/v1/incidents/${id}/postmortem`, { body: "Draft." });
    return {
      path: `/api/v1/incidents/${id}/postmortem`,
      resource_type: "incident",
      resource_id: id,
      action: "postmortem_delete",
    };
  },
  "POST /api/v1/incidents/:id/postmortem/publish": async () => {
    const id = await resolvedIncident();
    await t.call("PUT", `/api/v1/incidents/${id}/postmortem`, { body: "Draft." });
    const path = `/api/v1/incidents/${id}/postmortem/publish`;
    return { path, body: { notify: false }, resource_type: "incident", resource_id: id, action: "postmortem_publish" };
  },
  "POST /api/v1/incidents/:id/postmortem/unpublish": async () => {
    const id = await resolvedIncident();
    await t.call("PUT", `/api/v1/incidents/${id}/postmortem`, { body: "Draft." });
    await t.call("POST", `/api/v1/incidents/${id}/postmortem/publish`, { notify: false });
    const path = `/api/v1/incidents/${id}/postmortem/unpublish`;
    return { path, resource_type: "incident", resource_id: id, action: "postmortem_unpublish" };
  },
  "PATCH /api/v1/incidents/:id/updates/:updateId": async () => {
    const incident = await openIncident(t);
    const updateId = incident.incident_updates[0]!.id;
    return {
      path: `/api/v1/incidents/${incident.id}/updates/${updateId}`,
      body: { body: "Corrected text" },
      resource_type: "incident_update",
      resource_id: updateId,
      action: "edit",
    };
  },
  "POST /api/v1/incident-templates": async () => ({
    path: "/api/v1/incident-templates",
    body: { name: "Data centre down", title: "Webtix down" },
    resource_type: "incident_template",
    action: "create",
  }),
  "PATCH /api/v1/incident-templates/:id": async () => {
    const { id } = await createIncidentTemplate(t);
    return {
      path: `/api/v1/incident-templates/${id}`,
      body: { body: "New text" },
      resource_type: "incident_template",
      resource_id: id,
      action: "update",
    };
  },
  "DELETE /api/v1/incident-templates/:id": async () => {
    const { id } = await createIncidentTemplate(t);
    const path = `/api/v1/incident-templates/${id}`;
    return { path, resource_type: "incident_template", resource_id: id, action: "delete" };
  },
  "POST /api/v1/maintenances": async () => ({
    path: "/api/v1/maintenances",
    body: { name: "Upgrade", scheduled_for: "2026-12-01T00:00:00Z", scheduled_until: "2026-12-01T01:00:00Z" },
    resource_type: "maintenance",
    action: "create",
  }),
  "POST /api/v1/maintenances/:id/updates": async () => {
    const { id } = await scheduleMaintenance(t);
    const body = { status: "in_progress" };
    return {
      path: `/api/v1/maintenances/${id}/updates`,
      body,
      resource_type: "maintenance",
      resource_id: id,
      action: "post_update",
    };
  },
  "DELETE /api/v1/maintenances/:id": async () => {
    const { id } = await scheduleMaintenance(t);
    return { path: `/api/v1/maintenances/${id}`, resource_type: "maintenance", resource_id: id, action: "delete" };
  },
  "PATCH /api/v1/maintenances/:id": async () => {
    const { id } = await scheduleMaintenance(t);
    const body = { scheduled_for: "2026-11-26T23:00:00Z", reminders: ["24h"] };
    return { path: `/api/v1/maintenances/${id}`, body, resource_type: "maintenance", resource_id: id, action: "edit" };
  },
  "PATCH /api/v1/maintenance-series/:id": async () => {
    const id = await runningSeries();
    const body = { count: 5 };
    const path = `/api/v1/maintenance-series/${id}`;
    return { path, body, resource_type: "maintenance_series", resource_id: id, action: "edit" };
  },
  "DELETE /api/v1/maintenance-series/:id": async () => {
    const id = await runningSeries();
    const path = `/api/v1/maintenance-series/${id}`;
    return { path, resource_type: "maintenance_series", resource_id: id, action: "stop" };
  },
  "POST /api/v1/api-keys": async () => ({
    path: "/api/v1/api-keys",
    body: { name: "deploy bot", scopes: ["write"] },
    resource_type: "api_key",
    action: "create",
  }),
  "DELETE /api/v1/api-keys/:id": async () => {
    const created = await expectStatus<CreatedApiKey>(
      await t.call("POST", "/api/v1/api-keys", { name: "old", scopes: ["read"] }),
      201,
    );
    return {
      path: `/api/v1/api-keys/${created.id}`,
      resource_type: "api_key",
      resource_id: created.id,
      action: "revoke",
    };
  },
  "PATCH /api/v1/page": async () => ({
    path: "/api/v1/page",
    body: { name: "Tix status" },
    resource_type: "page",
    resource_id: "page",
    action: "update",
  }),
  "POST /api/v1/subscribers/import": async () => ({
    path: "/api/v1/subscribers/import",
    body: { subscribers: [{ email: "reader@example.com" }], skip_confirmation: true },
    resource_type: "subscriber",
    resource_id: null,
    action: "import",
  }),
  "DELETE /api/v1/subscribers/:id": async () => {
    await t.call("POST", "/api/v1/subscribers/import", { subscribers: [{ email: "gone@example.com" }] });
    const list = await expectStatus<{ subscribers: { id: string }[] }>(await t.call("GET", "/api/v1/subscribers"), 200);
    const id = list.subscribers[0]!.id;
    return { path: `/api/v1/subscribers/${id}`, resource_type: "subscriber", resource_id: id, action: "delete" };
  },
  "POST /api/v1/webhooks": async () => ({
    path: "/api/v1/webhooks",
    body: { url: "https://hooks.example.com/in" },
    resource_type: "webhook_endpoint",
    action: "create",
  }),
  "DELETE /api/v1/webhooks/:id": async () => {
    const created = await expectStatus<{ id: string }>(
      await t.call("POST", "/api/v1/webhooks", { url: "https://hooks.example.com/old" }),
      201,
    );
    return {
      path: `/api/v1/webhooks/${created.id}`,
      resource_type: "webhook_endpoint",
      resource_id: created.id,
      action: "delete",
    };
  },
  "POST /api/v1/staff-destinations": async () => ({
    path: "/api/v1/staff-destinations",
    body: { kind: "webhook", target: "https://hooks.example.com/staff" },
    resource_type: "staff_destination",
    action: "create",
  }),
  "DELETE /api/v1/staff-destinations/:id": async () => {
    const created = await expectStatus<{ id: string }>(
      await t.call("POST", "/api/v1/staff-destinations", { kind: "email", target: "old@example.com" }),
      201,
    );
    return {
      path: `/api/v1/staff-destinations/${created.id}`,
      resource_type: "staff_destination",
      resource_id: created.id,
      action: "delete",
    };
  },
  "POST /api/v1/staff-destinations/:id/test": async () => {
    const created = await expectStatus<{ id: string }>(
      await t.call("POST", "/api/v1/staff-destinations", { kind: "email", target: "ops@example.com" }),
      201,
    );
    return {
      path: `/api/v1/staff-destinations/${created.id}/test`,
      resource_type: "staff_destination",
      resource_id: created.id,
      action: "test",
    };
  },
  "POST /api/v1/channels": async () => ({
    path: "/api/v1/channels",
    body: { type: "slack", url: broadcastUrl(), purpose: "broadcast" },
    resource_type: "chat_channel",
    action: "create",
  }),
  "PATCH /api/v1/channels/:id": async () => {
    const id = await broadcastChannel();
    return {
      path: `/api/v1/channels/${id}`,
      body: { enabled: false },
      resource_type: "chat_channel",
      resource_id: id,
      action: "disable",
    };
  },
  "POST /api/v1/channels/:id/enable": async () => {
    const id = await broadcastChannel();
    await expectStatus(await t.call("PATCH", `/api/v1/channels/${id}`, { enabled: false }), 200);
    return { path: `/api/v1/channels/${id}/enable`, resource_type: "chat_channel", resource_id: id, action: "enable" };
  },
  "DELETE /api/v1/channels/:id": async () => {
    const id = await broadcastChannel();
    return { path: `/api/v1/channels/${id}`, resource_type: "chat_channel", resource_id: id, action: "delete" };
  },
  "POST /api/v1/monitors": async () => ({
    path: "/api/v1/monitors",
    body: { name: "tix1", type: "tcp", host: "tix1.internal", port: 443 },
    resource_type: "monitor",
    action: "create",
  }),
  ...Object.fromEntries(
    (
      [
        ["PATCH /api/v1/monitors/:id", "PATCH", "", { interval_seconds: 30 }, "update"],
        ["POST /api/v1/monitors/:id/pause", "POST", "/pause", undefined, "pause"],
        ["POST /api/v1/monitors/:id/resume", "POST", "/resume", undefined, "resume"],
        ["DELETE /api/v1/monitors/:id", "DELETE", "", undefined, "delete"],
      ] as const
    ).map(([route, , suffix, body, action]) => [
      route,
      async () => {
        const created = await expectStatus<{ id: string }>(
          await t.call("POST", "/api/v1/monitors", {
            name: "tix2",
            type: "tcp",
            host: "tix2.internal",
            port: 443,
            paused: action === "resume",
          }),
          201,
        );
        return {
          path: `/api/v1/monitors/${created.id}${suffix}`,
          body,
          resource_type: "monitor",
          resource_id: created.id,
          action,
        };
      },
    ]),
  ),
  "POST /api/v1/heartbeats": async () => ({
    path: "/api/v1/heartbeats",
    body: { name: "backup", period_seconds: 86_400 },
    resource_type: "heartbeat",
    action: "create",
  }),
  ...Object.fromEntries(
    (
      [
        ["PATCH /api/v1/heartbeats/:id", "", { grace_seconds: 600 }, "update"],
        ["POST /api/v1/heartbeats/:id/rotate", "/rotate", undefined, "rotate"],
        ["DELETE /api/v1/heartbeats/:id", "", undefined, "delete"],
      ] as const
    ).map(([route, suffix, body, action]) => [
      route,
      async () => {
        const created = await expectStatus<{ id: string }>(
          await t.call("POST", "/api/v1/heartbeats", { name: "export", period_seconds: 3600 }),
          201,
        );
        return {
          path: `/api/v1/heartbeats/${created.id}${suffix}`,
          body,
          resource_type: "heartbeat",
          resource_id: created.id,
          action,
        };
      },
    ]),
  ),
  "POST /api/v1/incident-drafts/:id/publish": async () => ({
    path: `/api/v1/incident-drafts/${await draft()}/publish`,
    resource_type: "incident",
    action: "create",
  }),
  "DELETE /api/v1/incident-drafts/:id": async () => {
    const id = await draft();
    return {
      path: `/api/v1/incident-drafts/${id}`,
      resource_type: "incident_draft",
      resource_id: id,
      action: "discard",
    };
  },
};

/** A draft incident, as a monitor with `"incident": "draft"` prepares one when tix1 stops answering. */
async function draft(): Promise<string> {
  const components = await expectStatus<{ id: string; name: string }[]>(await t.call("GET", "/api/v1/components"), 200);
  const { value } = await applyDetection(t.deps, {
    source: { kind: "monitor", id: "m1", name: "tix1" },
    componentId: components.find((c) => c.name === "tix1")!.id,
    problem: "major_outage",
    incident: "draft",
    notify: false,
    reason: "connection refused",
  });
  return value.draftId!;
}

let broadcastSerial = 0;
const broadcastUrl = () => `https://hooks.slack.com/services/T0001/B0001/audit${++broadcastSerial}`;
/** A staff broadcast channel in Slack. */
async function broadcastChannel(): Promise<string> {
  const body = { type: "slack", url: broadcastUrl(), purpose: "broadcast" };
  return (await expectStatus<{ id: string }>(await t.call("POST", "/api/v1/channels", body), 201)).id;
}

/** An incident opened and resolved, without emails. */
async function resolvedIncident() {
  const { id } = await openIncident(t);
  await t.call("POST", `/api/v1/incidents/${id}/resolve`, { notify: false });
  return id;
}

/** A weekly maintenance whose first window is under way, so stopping or shortening it cancels nothing. */
async function runningSeries(): Promise<string> {
  const window = { scheduled_for: "2026-11-25T11:00:00Z", scheduled_until: "2026-11-25T13:00:00Z" };
  const m = await scheduleMaintenance(t, { ...window, repeat: { every: "week" } });
  return (m as unknown as { series_id: string }).series_id;
}

describe("the audit log of the staff API", () => {
  it("has an entry above for every write route the API serves", () => {
    const routes = t.app.routes
      .filter((r) => r.path.startsWith("/api/v1/") && ["POST", "PUT", "PATCH", "DELETE"].includes(r.method))
      // Alert deliveries change the page as automation, audited under the alert's name (test/alerts).
      .filter((r) => !r.path.startsWith("/api/v1/alerts/"))
      .map((r) => `${r.method} ${r.path}`);
    expect([...new Set(routes)].sort()).toEqual(Object.keys(writes).sort());
  });

  it.each(Object.keys(writes))("%s records one row naming the key, the resource and the action", async (route) => {
    const write = await writes[route]!();
    const before = (await newest()).id;
    const res = await t.call(route.split(" ")[0]!, write.path, write.body);
    expect(res.status, await res.clone().text()).toBeLessThan(300);
    const { entries } = await audit("?limit=5");
    const mine = entries.filter((e) => e.id > before);
    expect(mine).toHaveLength(1);
    const [entry] = mine;
    expect(entry).toMatchObject({
      actor: { kind: "api_key", key_id: keyId(t.keys.admin), name: "admin key" },
      resource_type: write.resource_type,
      action: write.action,
      at: "2026-11-25T12:00:00.000Z",
    });
    if (write.resource_id !== undefined) expect(entry!.resource_id).toBe(write.resource_id);
    else expect(entry!.resource_id).toMatch(/^[a-z0-9]{12}$/);
  });

  it("a retried POST answered from its Idempotency-Key records nothing more", async () => {
    const before = (await newest()).id;
    const headers = { "idempotency-key": "webtix-2026-11-25" };
    await expectStatus(await t.call("POST", "/api/v1/incidents", { name: "Webtix down" }, { headers }), 201);
    const replay = await t.call("POST", "/api/v1/incidents", { name: "Webtix down" }, { headers });
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect((await audit()).entries.filter((e) => e.id > before)).toHaveLength(1);
  });

  it("a retried key creation is refused as secret_not_replayable and records nothing more", async () => {
    const before = (await newest()).id;
    const headers = { "idempotency-key": "deploy-bot-key" };
    const body = { name: "deploy bot", scopes: ["write"] };
    await expectStatus(await t.call("POST", "/api/v1/api-keys", body, { headers }), 201);
    await expectError(await t.call("POST", "/api/v1/api-keys", body, { headers }), 409, "secret_not_replayable");
    const mine = (await audit()).entries.filter((e) => e.id > before);
    expect(mine.map((e) => `${e.action} ${e.resource_type}`)).toEqual(["create api_key"]);
  });

  it("revoking a key records one row and ends the console sessions it opened", async () => {
    const bot = await expectStatus<CreatedApiKey>(
      await t.call("POST", "/api/v1/api-keys", { name: "console user", scopes: ["write"] }),
      201,
    );
    const b = consoleBrowser(t);
    expect((await b.signIn(bot.key)).status).toBe(303);
    const sessionsOf = async () => (await t.deps.db.select().from(adminSessions)).filter((s) => s.apiKeyId === bot.id);
    expect(await sessionsOf()).toHaveLength(1);
    const before = (await newest()).id;
    await expectStatus(await t.call("DELETE", `/api/v1/api-keys/${bot.id}`), 200);
    expect(await sessionsOf()).toEqual([]);
    const mine = (await audit()).entries.filter((e) => e.id > before);
    expect(mine).toMatchObject([{ resource_type: "api_key", resource_id: bot.id, action: "revoke" }]);
    expect((await b.request("GET", "/admin")).headers.get("location")).toBe("/admin/login");
  });

  it("a refused write records nothing", async () => {
    const before = await audit();
    await expectError(
      await t.call("PATCH", "/api/v1/components/nosuchthing0", { status: "major_outage" }),
      404,
      "not_found",
    );
    await expectError(await t.call("POST", "/api/v1/incidents", { name: "" }), 422, "validation_failed");
    expect(await audit()).toEqual(before);
  });
});

describe("what an audit row says", () => {
  it("a component's status change has its before and after; other fields by name only", async () => {
    const id = await seededComponentId(t, "tix1");
    await expectStatus(await t.call("PATCH", `/api/v1/components/${id}`, { status: "partial_outage" }), 200);
    expect(await newest()).toMatchObject({
      before: { status: "operational" },
      after: { status: "partial_outage" },
      fields: ["status"],
    });
    await expectStatus(await t.call("PATCH", `/api/v1/components/${id}`, { description: "Secret plans" }), 200);
    const renamed = await newest();
    expect(renamed).toMatchObject({ before: null, after: null, fields: ["description"] });
    expect(JSON.stringify(renamed)).not.toContain("Secret plans");
  });

  it("an incident records its status, impact and components before and after, through to resolving", async () => {
    const tix1 = await seededComponentId(t, "tix1");
    const incident = await openIncident(t, { components: { [tix1]: "major_outage" } });
    expect(await newest()).toMatchObject({
      resource_id: incident.id,
      action: "create",
      before: { components: { [tix1]: "operational" } },
      after: { status: "investigating", impact: "critical", components: { [tix1]: "major_outage" } },
    });
    await expectStatus(await t.call("POST", `/api/v1/incidents/${incident.id}/resolve`, {}), 200);
    expect(await newest()).toMatchObject({
      action: "resolve",
      before: { status: "investigating", impact: "critical", components: { [tix1]: "major_outage" } },
      after: { status: "resolved", impact: "critical", components: { [tix1]: "operational" } },
    });
    expect((await getComponent(t, tix1)).status).toBe("operational");
  });

  it("a maintenance records its status moves, by staff and by the schedule itself", async () => {
    const webtix = await seededComponentId(t, "Webtix");
    const m = await scheduleMaintenance(t, { components: [webtix] });
    expect(await newest()).toMatchObject({ action: "create", after: { status: "scheduled" } });
    await expectStatus(await t.call("POST", `/api/v1/maintenances/${m.id}/updates`, { status: "in_progress" }), 201);
    expect(await newest()).toMatchObject({
      actor: { kind: "api_key", name: "admin key" },
      before: { status: "scheduled", components: { [webtix]: "operational" } },
      after: { status: "in_progress", components: { [webtix]: "under_maintenance" } },
    });
    // A window already over when it is scheduled is started and completed by Marquee, which says so.
    await scheduleMaintenance(t, { scheduled_for: "2026-11-25T10:00:00Z", scheduled_until: "2026-11-25T11:00:00Z" });
    const [completed, started] = (await audit("?limit=2")).entries;
    expect(started).toMatchObject({ actor: { kind: "system", key_id: null }, after: { status: "in_progress" } });
    expect(completed).toMatchObject({ actor: { kind: "system", key_id: null }, after: { status: "completed" } });
  });

  it("a write key's change names the write key", async () => {
    await expectStatus(await t.call("POST", "/api/v1/incidents", { name: "By the on-call" }, { scope: "write" }), 201);
    expect((await newest()).actor).toEqual({ kind: "api_key", key_id: keyId(t.keys.write), name: "write key" });
  });

  it("never holds a key, a webhook secret or a webhook URL", async () => {
    const key = await expectStatus<CreatedApiKey>(
      await t.call("POST", "/api/v1/api-keys", { name: "ci", scopes: ["write"] }),
      201,
    );
    const hook = await expectStatus<{ id: string; secret: string }>(
      await t.call("POST", "/api/v1/webhooks", { url: "https://hooks.example.com/in?token=tok3n-in-url" }),
      201,
    );
    await t.call("POST", "/api/v1/subscribers/import", { subscribers: [{ email: "private@example.com" }] });
    await t.call("GET", "/api/v1/components", undefined, { headers: { authorization: `Bearer ${key.key}` } });
    const everything = JSON.stringify(await t.deps.db.select().from(auditLog));
    for (const secret of [key.key, key.key.split("_").at(-1)!, hook.secret, "tok3n-in-url", "private@example.com"]) {
      expect(everything).not.toContain(secret);
    }
    for (const raw of Object.values(t.keys)) expect(everything).not.toContain(raw.split("_").at(-1)!);
    expect(everything).toContain('"fields":["url"]');
  });
});

describe("GET /api/v1/audit", () => {
  it("refuses read and write keys with 403", async () => {
    await expectError(await t.call("GET", "/api/v1/audit", undefined, { scope: "read" }), 403, "forbidden");
    await expectError(await t.call("GET", "/api/v1/audit", undefined, { scope: "write" }), 403, "forbidden");
    await expectError(await t.call("GET", "/api/v1/audit", undefined, { scope: null }), 401, "unauthorized");
  });

  it("pages newest first with a cursor, and filters by resource and time", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      t.clock.advance(60_000);
      ids.push((await createComponent(t)).id);
    }
    const first = await audit("?limit=2&resource_type=component");
    expect(first.entries.map((e) => e.resource_id)).toEqual([ids[2], ids[1]]);
    const second = await audit(`?limit=2&resource_type=component&cursor=${first.next_cursor}`);
    expect(second.entries.map((e) => e.resource_id)).toEqual([ids[0]]);
    expect(second.next_cursor).toBeNull();
    const one = await audit(`?resource_type=component&resource_id=${ids[1]}`);
    expect(one.entries).toHaveLength(1);
    const window = await audit("?since=2026-11-25T12:01:30Z&until=2026-11-25T12:02:30Z");
    expect(window.entries.map((e) => e.resource_id)).toEqual([ids[1]]);
  });

  it("answers a bad query with 422 and the error envelope", async () => {
    await expectError(await t.call("GET", "/api/v1/audit?limit=0"), 422, "validation_failed");
    await expectError(await t.call("GET", "/api/v1/audit?since=yesterday"), 422, "validation_failed");
    await expectError(await t.call("GET", "/api/v1/audit?sort=asc"), 422, "validation_failed");
  });
});

describe("the audit row and its change are one write", () => {
  it("two changes racing each record the status they replaced, as the status history does", async () => {
    const id = await seededComponentId(t, "tix4");
    // Both read the component before either writes: a before taken from those reads would say "operational" twice.
    await Promise.all([
      updateComponent(t.deps, id, { status: "major_outage" }),
      updateComponent(t.deps, id, { status: "partial_outage" }),
    ]);
    const [second, first] = (await audit("?limit=2")).entries;
    expect(first).toMatchObject({ before: { status: "operational" }, after: { status: "major_outage" } });
    expect(second).toMatchObject({ before: { status: "major_outage" }, after: { status: "partial_outage" } });
  });

  it("a change whose audit row cannot be written is not made", async () => {
    const id = await seededComponentId(t, "tix2");
    await t.deps.db.run(
      sql`CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_log BEGIN SELECT RAISE(ABORT, 'no'); END`,
    );
    const res = await t.call("PATCH", `/api/v1/components/${id}`, { status: "major_outage" });
    expect(res.status).toBe(500);
    expect((await getComponent(t, id)).status).toBe("operational");
    expect((await t.call("POST", "/api/v1/incidents", { name: "Lost" })).status).toBe(500);
    expect(await expectStatus(await t.call("GET", "/api/v1/incidents"), 200)).toEqual([]);
  });
});
