import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { auditLog } from "@/db/schema";
import { makeApp } from "@/test/support/app";
import { consoleBrowser } from "@/test/support/console-browser";
import {
  type CreatedApiKey,
  expectStatus,
  openIncident,
  seededComponentId,
  type TestApp,
} from "@/test/support/factories";

let t: TestApp;
beforeEach(async () => {
  t = await makeApp();
});
afterEach(async () => {
  await t.cleanup();
});

type Entry = { id: number; actor: object; resource_type: string; resource_id: string | null; action: string };
const keyId = (key: string) => /^mq_([a-z0-9]{12})_/.exec(key)![1]!;
const newest = async () =>
  (await expectStatus<{ entries: Entry[] }>(await t.call("GET", "/api/v1/audit?limit=1"), 200)).entries[0]!;

type ConsoleWrite = { path: string; form: Record<string, string>; resource_type: string; action: string };

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
      await b.signIn();
      const write = await (writes[route] as (csrf: string) => Promise<ConsoleWrite>)(await b.csrf());
      const before = (await newest()).id;
      const res = await b.request("POST", write.path, write.form);
      expect(res.status, await res.clone().text()).toBe(303);
      const entry = await newest();
      expect(entry.id).toBe(before + 1);
      expect(entry).toMatchObject({
        actor: { kind: "console", key_id: keyId(t.keys.write), name: "write key" },
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
