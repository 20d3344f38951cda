import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { auditLog, chatChannels, incidentDrafts } from "@/db/schema";
import { makeApp, publicDns } from "@/test/support/app";
import { consoleBrowser } from "@/test/support/console-browser";
import {
  type CreatedApiKey,
  expectStatus,
  createComponent,
  createGroup,
  createIncidentTemplate,
  openIncident,
  scheduleMaintenance,
  seededComponentId,
  type TestApp,
} from "@/test/support/factories";

let t: TestApp;
beforeEach(async () => {
  // Chat channel URLs pass the SSRF guard with a resolver that gives a public address.
  t = await makeApp({ resolve: publicDns });
});
afterEach(async () => {
  await t.cleanup();
});

type Entry = { id: number; actor: object; resource_type: string; resource_id: string | null; action: string };
const keyId = (key: string) => /^mq_([a-z0-9]{12})_/.exec(key)![1]!;
const newest = async () =>
  (await expectStatus<{ entries: Entry[] }>(await t.call("GET", "/api/v1/audit?limit=1"), 200)).entries[0]!;

/** `admin`: the route needs a session signed in with an admin key; `status`: its answer when not a redirect. */
type ConsoleWrite = {
  path: string;
  form: Record<string, string>;
  resource_type: string;
  action: string;
  admin?: boolean;
  status?: number;
};
/** The routes that need an admin sign-in, as their API counterparts need an admin key. */
const adminOnly = new Set([
  "POST /admin/settings",
  "POST /admin/api-keys",
  "POST /admin/api-keys/:id/revoke",
  "POST /admin/subscribers/:id/remove",
  "POST /admin/monitors",
  "POST /admin/monitors/:id",
  "POST /admin/monitors/:id/pause",
  "POST /admin/monitors/:id/resume",
  "POST /admin/monitors/:id/delete",
  "POST /admin/heartbeats",
  "POST /admin/heartbeats/:id/pause",
  "POST /admin/heartbeats/:id/resume",
  "POST /admin/heartbeats/:id/rotate",
  "POST /admin/heartbeats/:id/delete",
  "POST /admin/staff-alerts/destinations",
  "POST /admin/staff-alerts/destinations/:id/remove",
  "POST /admin/staff-alerts/destinations/:id/test",
  "POST /admin/channels",
  "POST /admin/channels/:id/remove",
  "POST /admin/channels/:id/enable",
  "POST /admin/subscribers/chat/:id/remove",
]);
const newMonitor = async (fields: Record<string, unknown> = {}) =>
  (
    await expectStatus<{ id: string }>(
      await t.call("POST", "/api/v1/monitors", {
        name: "tix1",
        type: "http",
        url: "https://tix1.example.com/",
        ...fields,
      }),
      201,
    )
  ).id;
const newHeartbeat = async (fields: Record<string, unknown> = {}) =>
  (
    await expectStatus<{ id: string }>(
      await t.call("POST", "/api/v1/heartbeats", { name: "Backup", period_seconds: 3600, ...fields }),
      201,
    )
  ).id;
const newDestination = async () =>
  (
    await expectStatus<{ id: string }>(
      await t.call("POST", "/api/v1/staff-destinations", { kind: "email", target: "oncall@example.com" }),
      201,
    )
  ).id;
let channelSerial = 0;
const slackUrl = () => `https://hooks.slack.com/services/T0001/B0001/console${++channelSerial}`;
/** A staff broadcast channel, disabled when asked, to enable again. */
async function newChannel(disabled = false) {
  const body = { type: "slack", url: slackUrl(), purpose: "broadcast" };
  const { id } = await expectStatus<{ id: string }>(await t.call("POST", "/api/v1/channels", body), 201);
  if (disabled) await expectStatus(await t.call("PATCH", `/api/v1/channels/${id}`, { enabled: false }), 200);
  return id;
}
/** A customer's chat channel, as the subscribe form leaves it once confirmed. */
async function newChatSubscriber() {
  const now = t.deps.clock();
  const id = `chataudit${String(++channelSerial).padStart(3, "0")}`;
  await t.deps.db.insert(chatChannels).values({
    id,
    platform: "slack",
    url: slackUrl(),
    purpose: "subscriber",
    status: "active",
    allComponents: true,
    createdAt: now,
    updatedAt: now,
  });
  return id;
}
/** An incident opened and resolved without emails, with a postmortem draft, published when asked. */
async function resolvedWithPostmortem(published = false) {
  const { id } = await expectStatus<{ id: string }>(
    await t.call("POST", "/api/v1/incidents", { name: "Webtix down", notify: false }),
    201,
  );
  await expectStatus(await t.call("POST", `/api/v1/incidents/${id}/resolve`, { notify: false }), 200);
  await expectStatus(await t.call("PUT", `/api/v1/incidents/${id}/postmortem`, { body: "What happened." }), 200);
  if (published) {
    await expectStatus(await t.call("POST", `/api/v1/incidents/${id}/postmortem/publish`, { notify: false }), 200);
  }
  return id;
}
/** A weekly maintenance series whose first window is under way, so stopping it cancels nothing. */
async function newSeries() {
  const window = { scheduled_for: "2026-11-25T11:00:00Z", scheduled_until: "2026-11-25T13:00:00Z" };
  const body = { name: "Weekly upgrade", ...window, repeat: { every: "week" }, notify: false };
  const m = await expectStatus<{ series_id: string }>(await t.call("POST", "/api/v1/maintenances", body), 201);
  return m.series_id;
}
async function newDraft() {
  const id = "draftaudit01";
  await t.deps.db.insert(incidentDrafts).values({
    id,
    name: "tix1 is not responding",
    body: "Automatic monitoring found a problem with tix1.",
    components: { [await seededComponentId(t, "tix1")]: "major_outage" },
    notify: false,
    sourceKind: "monitor",
    sourceId: "m1",
    createdAt: t.deps.clock(),
  });
  return id;
}

/** Every POST route of the console, with the row each one records. */
const writes: Record<string, ((csrf: string) => Promise<ConsoleWrite>) | "not a change"> = {
  "POST /admin/login": async () => ({
    path: "/admin/login",
    form: { key: t.keys.write },
    resource_type: "console_session",
    action: "sign_in",
  }),
  "POST /admin/logout": async (csrf) => ({
    path: "/admin/logout",
    form: { csrf },
    resource_type: "console_session",
    action: "sign_out",
  }),
  "POST /admin/components/:id": async (csrf) => ({
    path: `/admin/components/${await seededComponentId(t, "tix3")}`,
    form: { csrf, status: "degraded_performance" },
    resource_type: "component",
    action: "update",
  }),
  "POST /admin/incidents": async (csrf) => ({
    path: "/admin/incidents",
    form: { csrf, name: "Webtix slow" },
    resource_type: "incident",
    action: "create",
  }),
  "POST /admin/incidents/:id/updates": async (csrf) => ({
    path: `/admin/incidents/${(await openIncident(t)).id}/updates`,
    form: { csrf, status: "identified" },
    resource_type: "incident",
    action: "post_update",
  }),
  "POST /admin/incidents/:id/resolve": async (csrf) => ({
    path: `/admin/incidents/${(await openIncident(t)).id}/resolve`,
    form: { csrf },
    resource_type: "incident",
    action: "resolve",
  }),
  "POST /admin/maintenances": async (csrf) => ({
    path: "/admin/maintenances",
    form: { csrf, name: "Disk swap", start: "2030-07-01T22:00", end: "2030-07-01T23:30" },
    resource_type: "maintenance",
    action: "create",
  }),
  "POST /admin/maintenances/:id/start": async (csrf) => ({
    path: `/admin/maintenances/${(await scheduleMaintenance(t)).id}/start`,
    form: { csrf, notify: "on" },
    resource_type: "maintenance",
    action: "post_update",
  }),
  "POST /admin/maintenances/:id/complete": async (csrf) => ({
    path: `/admin/maintenances/${(await scheduleMaintenance(t)).id}/complete`,
    form: { csrf },
    resource_type: "maintenance",
    action: "post_update",
  }),
  "POST /admin/maintenances/:id/cancel": async (csrf) => ({
    path: `/admin/maintenances/${(await scheduleMaintenance(t)).id}/cancel`,
    form: { csrf },
    resource_type: "maintenance",
    action: "post_update",
  }),
  "POST /admin/components": async (csrf) => ({
    path: "/admin/components",
    form: { csrf, name: "tix6" },
    resource_type: "component",
    action: "create",
  }),
  "POST /admin/components/:id/edit": async (csrf) => ({
    path: `/admin/components/${(await createComponent(t)).id}/edit`,
    form: { csrf, name: "Renamed", status: "operational" },
    resource_type: "component",
    action: "update",
  }),
  "POST /admin/components/:id/move": async (csrf) => ({
    path: `/admin/components/${await seededComponentId(t, "tix2")}/move`,
    form: { csrf, direction: "up" },
    resource_type: "component",
    action: "reorder",
  }),
  "POST /admin/components/:id/delete": async (csrf) => ({
    path: `/admin/components/${(await createComponent(t)).id}/delete`,
    form: { csrf },
    resource_type: "component",
    action: "delete",
  }),
  "POST /admin/groups": async (csrf) => ({
    path: "/admin/groups",
    form: { csrf, name: "Sales" },
    resource_type: "group",
    action: "create",
  }),
  "POST /admin/groups/:id/edit": async (csrf) => ({
    path: `/admin/groups/${(await createGroup(t)).id}/edit`,
    form: { csrf, name: "Renamed" },
    resource_type: "group",
    action: "update",
  }),
  "POST /admin/groups/:id/move": async (csrf) => ({
    path: `/admin/groups/${(await createGroup(t)).id}/move`,
    form: { csrf, direction: "up" },
    resource_type: "group",
    action: "reorder",
  }),
  "POST /admin/groups/:id/delete": async (csrf) => ({
    path: `/admin/groups/${(await createGroup(t)).id}/delete`,
    form: { csrf },
    resource_type: "group",
    action: "delete",
  }),
  "POST /admin/templates": async (csrf) => ({
    path: "/admin/templates",
    form: { csrf, name: "Data centre down", title: "Webtix down" },
    resource_type: "incident_template",
    action: "create",
  }),
  "POST /admin/templates/:id": async (csrf) => ({
    path: `/admin/templates/${(await createIncidentTemplate(t)).id}`,
    form: { csrf, name: "Renamed", title: "Webtix down" },
    resource_type: "incident_template",
    action: "update",
  }),
  "POST /admin/templates/:id/delete": async (csrf) => ({
    path: `/admin/templates/${(await createIncidentTemplate(t)).id}/delete`,
    form: { csrf },
    resource_type: "incident_template",
    action: "delete",
  }),
  "POST /admin/settings": async (csrf) => ({
    path: "/admin/settings",
    form: { csrf, name: "Tix status" },
    resource_type: "page",
    action: "update",
    admin: true,
  }),
  "POST /admin/api-keys": async (csrf) => ({
    path: "/admin/api-keys",
    form: { csrf, name: "deploy bot", scopes: "write" },
    resource_type: "api_key",
    action: "create",
    admin: true,
    status: 201,
  }),
  "POST /admin/api-keys/:id/revoke": async (csrf) => {
    const created = await expectStatus<CreatedApiKey>(
      await t.call("POST", "/api/v1/api-keys", { name: "old", scopes: ["read"] }),
      201,
    );
    return {
      path: `/admin/api-keys/${created.id}/revoke`,
      form: { csrf },
      resource_type: "api_key",
      action: "revoke",
      admin: true,
    };
  },
  "POST /admin/subscribers/:id/remove": async (csrf) => {
    await t.call("POST", "/api/v1/subscribers/import", {
      subscribers: [{ email: "reader@example.com" }],
      skip_confirmation: true,
    });
    const { subscribers } = await expectStatus<{ subscribers: { id: string }[] }>(
      await t.call("GET", "/api/v1/subscribers"),
      200,
    );
    return {
      path: `/admin/subscribers/${subscribers[0]!.id}/remove`,
      form: { csrf },
      resource_type: "subscriber",
      action: "delete",
      admin: true,
    };
  },
  "POST /admin/monitors": async (csrf) => ({
    path: "/admin/monitors",
    form: { csrf, name: "tix1", type: "http", url: "https://tix1.example.com/", follow_redirects: "on" },
    resource_type: "monitor",
    action: "create",
    admin: true,
  }),
  "POST /admin/monitors/:id": async (csrf) => ({
    path: `/admin/monitors/${await newMonitor()}`,
    form: { csrf, name: "tix1 health", url: "https://tix1.example.com/health" },
    resource_type: "monitor",
    action: "update",
    admin: true,
  }),
  "POST /admin/monitors/:id/pause": async (csrf) => ({
    path: `/admin/monitors/${await newMonitor()}/pause`,
    form: { csrf },
    resource_type: "monitor",
    action: "pause",
    admin: true,
  }),
  "POST /admin/monitors/:id/resume": async (csrf) => ({
    path: `/admin/monitors/${await newMonitor({ paused: true })}/resume`,
    form: { csrf },
    resource_type: "monitor",
    action: "resume",
    admin: true,
  }),
  "POST /admin/monitors/:id/delete": async (csrf) => ({
    path: `/admin/monitors/${await newMonitor()}/delete`,
    form: { csrf },
    resource_type: "monitor",
    action: "delete",
    admin: true,
  }),
  "POST /admin/heartbeats": async (csrf) => ({
    path: "/admin/heartbeats",
    form: { csrf, name: "Backup", period_minutes: "60" },
    resource_type: "heartbeat",
    action: "create",
    admin: true,
    status: 201,
  }),
  "POST /admin/heartbeats/:id/pause": async (csrf) => ({
    path: `/admin/heartbeats/${await newHeartbeat()}/pause`,
    form: { csrf },
    resource_type: "heartbeat",
    action: "update",
    admin: true,
  }),
  "POST /admin/heartbeats/:id/resume": async (csrf) => ({
    path: `/admin/heartbeats/${await newHeartbeat({ paused: true })}/resume`,
    form: { csrf },
    resource_type: "heartbeat",
    action: "update",
    admin: true,
  }),
  "POST /admin/heartbeats/:id/rotate": async (csrf) => ({
    path: `/admin/heartbeats/${await newHeartbeat()}/rotate`,
    form: { csrf },
    resource_type: "heartbeat",
    action: "rotate",
    admin: true,
    status: 200,
  }),
  "POST /admin/heartbeats/:id/delete": async (csrf) => ({
    path: `/admin/heartbeats/${await newHeartbeat()}/delete`,
    form: { csrf },
    resource_type: "heartbeat",
    action: "delete",
    admin: true,
  }),
  "POST /admin/staff-alerts/destinations": async (csrf) => ({
    path: "/admin/staff-alerts/destinations",
    form: { csrf, kind: "email", target: "oncall@example.com" },
    resource_type: "staff_destination",
    action: "create",
    admin: true,
  }),
  "POST /admin/staff-alerts/destinations/:id/remove": async (csrf) => ({
    path: `/admin/staff-alerts/destinations/${await newDestination()}/remove`,
    form: { csrf },
    resource_type: "staff_destination",
    action: "delete",
    admin: true,
  }),
  "POST /admin/staff-alerts/destinations/:id/test": async (csrf) => ({
    path: `/admin/staff-alerts/destinations/${await newDestination()}/test`,
    form: { csrf },
    resource_type: "staff_destination",
    action: "test",
    admin: true,
  }),
  "POST /admin/channels": async (csrf) => ({
    path: "/admin/channels",
    form: { csrf, type: "slack", url: slackUrl(), purpose: "broadcast" },
    resource_type: "chat_channel",
    action: "create",
    admin: true,
  }),
  "POST /admin/channels/:id/remove": async (csrf) => ({
    path: `/admin/channels/${await newChannel()}/remove`,
    form: { csrf },
    resource_type: "chat_channel",
    action: "delete",
    admin: true,
  }),
  "POST /admin/channels/:id/enable": async (csrf) => ({
    path: `/admin/channels/${await newChannel(true)}/enable`,
    form: { csrf },
    resource_type: "chat_channel",
    action: "enable",
    admin: true,
  }),
  "POST /admin/subscribers/chat/:id/remove": async (csrf) => ({
    path: `/admin/subscribers/chat/${await newChatSubscriber()}/remove`,
    form: { csrf },
    resource_type: "chat_channel",
    action: "delete",
    admin: true,
  }),
  "POST /admin/incidents/:id/postmortem": async (csrf) => ({
    path: `/admin/incidents/${await resolvedWithPostmortem()}/postmortem`,
    form: { csrf, body: "What happened, and what we changed." },
    resource_type: "incident",
    action: "postmortem_save",
  }),
  "POST /admin/incidents/:id/postmortem/delete": async (csrf) => ({
    path: `/admin/incidents/${await resolvedWithPostmortem()}/postmortem/delete`,
    form: { csrf },
    resource_type: "incident",
    action: "postmortem_delete",
  }),
  "POST /admin/incidents/:id/postmortem/publish": async (csrf) => ({
    path: `/admin/incidents/${await resolvedWithPostmortem()}/postmortem/publish`,
    form: { csrf },
    resource_type: "incident",
    action: "postmortem_publish",
  }),
  "POST /admin/incidents/:id/postmortem/unpublish": async (csrf) => ({
    path: `/admin/incidents/${await resolvedWithPostmortem(true)}/postmortem/unpublish`,
    form: { csrf },
    resource_type: "incident",
    action: "postmortem_unpublish",
  }),
  "POST /admin/maintenance-series/:id/stop": async (csrf) => ({
    path: `/admin/maintenance-series/${await newSeries()}/stop`,
    form: { csrf },
    resource_type: "maintenance_series",
    action: "stop",
  }),
  "POST /admin/incident-drafts/:id/publish": async (csrf) => ({
    path: `/admin/incident-drafts/${await newDraft()}/publish`,
    form: { csrf },
    resource_type: "incident",
    action: "create",
  }),
  "POST /admin/incident-drafts/:id/discard": async (csrf) => ({
    path: `/admin/incident-drafts/${await newDraft()}/discard`,
    form: { csrf },
    resource_type: "incident_draft",
    action: "discard",
  }),
};

describe("the audit log of the staff console", () => {
  it("has an entry above for every POST route of the console", () => {
    const routes = t.app.routes
      .filter((r) => r.path.startsWith("/admin") && r.method === "POST")
      .map((r) => `${r.method} ${r.path}`);
    expect([...new Set(routes)].sort()).toEqual(Object.keys(writes).sort());
  });

  it.each(Object.keys(writes).filter((r) => writes[r] !== "not a change"))(
    "%s records one row naming the console and the key that signed in",
    async (route) => {
      const b = consoleBrowser(t);
      const scope = adminOnly.has(route) ? "admin" : "write";
      await b.signIn(t.keys[scope]);
      const write = await (writes[route] as (csrf: string) => Promise<ConsoleWrite>)(await b.csrf());
      expect(write.admin ?? false).toBe(adminOnly.has(route));
      const before = (await newest()).id;
      const res = await b.request("POST", write.path, write.form);
      expect(res.status, await res.clone().text()).toBe(write.status ?? 303);
      const entry = await newest();
      expect(entry.id).toBe(before + 1);
      expect(entry).toMatchObject({
        actor: { kind: "console", key_id: keyId(t.keys[scope]), name: `${scope} key` },
        resource_type: write.resource_type,
        action: write.action,
      });
    },
  );

  it("never holds the session cookie or the key that signed in", async () => {
    const b = consoleBrowser(t);
    await b.signIn();
    await b.request("POST", `/admin/components/${await seededComponentId(t, "tix1")}`, {
      csrf: await b.csrf(),
      status: "major_outage",
    });
    const everything = JSON.stringify(await t.deps.db.select().from(auditLog));
    expect(everything).not.toContain(b.cookie!.split("=")[1]!);
    expect(everything).not.toContain(t.keys.write.split("_").at(-1)!);
  });
});

describe("the console's audit page", () => {
  it("is linked from the console nav and lists changes newest first, with who and what changed", async () => {
    const evil = await expectStatus<CreatedApiKey>(
      await t.call("POST", "/api/v1/api-keys", { name: "<b>mallory</b>", scopes: ["write"] }),
      201,
    );
    const tix1 = await seededComponentId(t, "tix1");
    await t.call(
      "PATCH",
      `/api/v1/components/${tix1}`,
      { status: "major_outage" },
      {
        scope: null,
        headers: { authorization: `Bearer ${evil.key}` },
      },
    );
    const b = consoleBrowser(t);
    await b.signIn();
    expect(await (await b.request("GET", "/admin")).text()).toMatch(/<nav[^>]*>[\s\S]*href="\/admin\/audit"/);
    const res = await b.request("GET", "/admin/audit");
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const html = await res.text();
    expect(html).toContain("<h1>Audit log</h1>");
    const rows = [...html.matchAll(/<tr data-audit-id="(\d+)">([\s\S]*?)<\/tr>/g)];
    expect(rows[0]![2]).toContain("sign_in console_session");
    expect(rows[1]![2]).toContain(`update component ${tix1}`);
    expect(rows[1]![2]).toContain("status: operational → major_outage");
    expect(rows[1]![2]).toContain("API key: &lt;b&gt;mallory&lt;/b&gt;");
    expect(html).not.toContain("<b>mallory</b>");
    const ids = rows.map((r) => Number(r[1]));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
  });

  it("filters by resource type and pages to older changes", async () => {
    for (let i = 0; i < 105; i++) await t.call("POST", "/api/v1/groups", { name: `Group ${i}` });
    const b = consoleBrowser(t);
    await b.signIn();
    const first = await (await b.request("GET", "/admin/audit?resource_type=group")).text();
    expect(first.match(/<tr data-audit-id=/g)).toHaveLength(100);
    expect(first).not.toContain("console_session");
    const next = first.match(/href="(\/admin\/audit\?[^"]+)">Older changes/)![1]!.replace(/&(#38|amp);/g, "&");
    const second = await (await b.request("GET", next)).text();
    expect(second.match(/<tr data-audit-id=/g)).toHaveLength(5);
    expect(second).not.toContain("Older changes");
  });

  it("needs a session", async () => {
    const res = await t.app.request("/admin/audit");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/admin/login");
  });
});
