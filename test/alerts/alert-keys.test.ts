import { getRequestListener } from "@hono/node-server";
import { createServer, type Server } from "node:http";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { hasScope } from "@/api/services/api-keys";
import { scopeNeeded } from "@/api/middleware/auth";
import { apiScopes } from "@/db/vocabulary";
import { dbSnapshot, expectError, expectStatus, json } from "../support/factories";
import { type AlertApp, makeAlertApp } from "./alert-app";
import { alertmanagerBody, type AlertSpec, grafanaBody } from "./webhook-bodies";

let t: AlertApp;
beforeEach(async () => {
  t = await makeAlertApp();
});
afterEach(async () => {
  await t.cleanup();
});

const tix2Down: AlertSpec = {
  labels: { alertname: "TixDown", component: "tix2", instance: "tix2:9100", job: "tix", severity: "critical" },
  annotations: { summary: "tix2 <down> & unreachable" },
  startsAt: "2026-11-25T11:58:00Z",
};

describe("the alerts scope", () => {
  it("no key is 401, a read key 403, and neither changes anything", async () => {
    const before = await dbSnapshot(t.deps);
    await expectError(await t.post("alertmanager", alertmanagerBody([tix2Down]), null), 401, "unauthorized");
    const error = await expectError(
      await t.post("alertmanager", alertmanagerBody([tix2Down]), t.keys.read),
      403,
      "forbidden",
    );
    expect(error.message).toBe("This API key lacks the alerts scope");
    expect(await dbSnapshot(t.deps)).toEqual(before);
  });

  it("an alerts key, a write key and an admin key may post alerts to both endpoints", async () => {
    await t.deliver("alertmanager", alertmanagerBody([tix2Down]));
    for (const key of [t.keys.write, t.keys.admin]) {
      await expectStatus(await t.post("alertmanager", alertmanagerBody([tix2Down]), key), 200);
      await expectStatus(await t.post("grafana", grafanaBody([tix2Down]), key), 200);
    }
    expect(await t.status("tix2")).toBe("major_outage");
  });

  it("an alerts key can do nothing else: no reads, no writes, no keys", async () => {
    const asAlerts = (method: string, path: string, body?: unknown) =>
      t.app.request(path, {
        method,
        headers: { authorization: `Bearer ${t.alertsKey}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const before = await dbSnapshot(t.deps);
    const id = await t.id("tix2");
    for (const [method, path, body] of [
      ["GET", "/api/v1/components"],
      ["GET", `/api/v1/components/${id}`],
      ["GET", "/api/v1/incidents"],
      ["PATCH", `/api/v1/components/${id}`, { status: "major_outage" }],
      ["POST", "/api/v1/incidents", { name: "Nope" }],
      ["POST", "/api/v1/api-keys", { name: "escalate", scopes: ["admin"] }],
      ["GET", "/api/v1/audit"],
      // The URL parser resolves dot segments before routing: this is a POST to /api/v1/components.
      ["POST", "/api/v1/alerts/../components", { name: "tix6" }],
      ["POST", "/api/v1/alerts/%2e%2e/components", { name: "tix6" }],
      ["GET", "/api/v1/alerts/alertmanager"],
    ] as const) {
      const res = await asAlerts(method, path, body);
      expect(res.status, `${method} ${path}`).toBe(403);
    }
    expect(await dbSnapshot(t.deps)).toEqual(before);
  });

  it("an alerts key does not open /metrics", async () => {
    const metrics = {
      text: async () => "marquee_up 1\n",
      contentType: "text/plain; version=0.0.4; charset=utf-8" as const,
      countRequest: () => {},
    };
    const m = await makeAlertApp({ metrics });
    try {
      const get = (key: string) => m.app.request("/metrics", { headers: { authorization: `Bearer ${key}` } });
      await expectError(await get(m.alertsKey), 403, "forbidden");
      expect((await get(m.keys.read)).status).toBe(200);
    } finally {
      await m.cleanup();
    }
  });

  it("the console does not let an alerts key sign in", async () => {
    const res = await t.app.request("/admin/login", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ key: t.alertsKey }).toString(),
    });
    expect(res.status).toBe(401);
    expect(await res.text()).toContain("That key cannot sign in");
    expect(res.headers.get("set-cookie")).toBeNull();
  });

  it("keys are created with the alerts scope and listed with it", async () => {
    const keys = await json<{ name: string; scopes: string[] }[]>(await t.call("GET", "/api/v1/api-keys"));
    expect(keys.find((k) => k.name === "alertmanager")?.scopes).toEqual(["alerts"]);
    await expectError(
      await t.call("POST", "/api/v1/api-keys", { name: "x", scopes: ["alerting"] }),
      422,
      "validation_failed",
    );
  });

  it("hasScope: alerts is granted by alerts, write and admin, and grants nothing but itself", () => {
    const grants = Object.fromEntries(
      apiScopes.map((held) => [held, apiScopes.filter((needed) => hasScope([held], needed))]),
    );
    expect(grants).toEqual({
      read: ["read"],
      write: ["read", "write", "alerts"],
      admin: ["read", "write", "admin", "alerts"],
      alerts: ["alerts"],
    });
    expect(hasScope(["alerts", "read"], "read")).toBe(true);
    expect(scopeNeeded("POST", "/api/v1/alerts/grafana")).toBe("alerts");
    expect(scopeNeeded("PUT", "/api/v1/alerts/grafana")).toBe("alerts");
    expect(scopeNeeded("GET", "/api/v1/alerts/grafana")).toBe("read");
    expect(scopeNeeded("POST", "/api/v1/alertsx")).toBe("write");
  });
});

describe("an Alertmanager delivery over real HTTP", () => {
  it("the exact bytes Alertmanager sends, with http_config.authorization's Bearer header, set the component", async () => {
    const server: Server = createServer(getRequestListener(t.app.fetch));
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
    try {
      const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      const body = alertmanagerBody([tix2Down], { alertname: "TixDown" });
      // As notify.PostJSON sends it: POST, JSON content type, Alertmanager's user agent, and the authorization
      // header prometheus/common builds from `type` (default Bearer) and `credentials`.
      expect(body).toContain("tix2 \\u003cdown\\u003e \\u0026 unreachable");
      const res = await fetch(`${base}/api/v1/alerts/alertmanager`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "Alertmanager/0.28.1",
          authorization: `Bearer ${t.alertsKey}`,
        },
        body,
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ received: 1, applied: 1, unmatched: [] });
      expect(await t.published("tix2")).toBe("major_outage");
    } finally {
      await new Promise((ok) => server.close(ok));
    }
  });
});
