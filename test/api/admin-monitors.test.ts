import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { monitorResults, monitors } from "@/db/schema";
import { makeApp } from "@/test/support/app";
import { signedIn } from "@/test/support/console-browser";
import { expectStatus, seededComponentId, type TestApp } from "@/test/support/factories";

let t: TestApp;
beforeEach(async () => {
  t = await makeApp();
});
afterEach(async () => {
  await t.cleanup();
});

type MonitorAnswer = {
  id: string;
  name: string;
  paused: boolean;
  headers: Record<string, string>;
  [k: string]: unknown;
};
const apiMonitors = async () => expectStatus<MonitorAnswer[]>(await t.call("GET", "/api/v1/monitors"), 200);

const httpForm = (csrf: string, fields: Record<string, string> = {}) => ({
  csrf,
  name: "tix1 health",
  type: "http",
  url: "https://tix1.example.com/health",
  interval_seconds: "30",
  timeout_ms: "5000",
  failure_threshold: "2",
  success_threshold: "2",
  component_id: "",
  down_status: "major_outage",
  incident: "draft",
  method: "GET",
  headers: "",
  expected_status: "200-399",
  keyword_mode: "present",
  follow_redirects: "on",
  min_days_left: "14",
  ...fields,
});

describe("monitors in the console", () => {
  it("adds a monitor from the form and lists it with its state, target, component and next check", async () => {
    const { b, csrf } = await signedIn(t, "admin");
    const tix1 = await seededComponentId(t, "tix1");
    expect(await (await b.request("GET", "/admin")).text()).toMatch(/<nav[^>]*>[\s\S]*href="\/admin\/monitors"/);
    const res = await b.request("POST", "/admin/monitors", httpForm(csrf, { component_id: tix1, notify: "on" }));
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/admin/monitors?flash=monitor-created");
    const [saved] = await apiMonitors();
    expect(saved).toMatchObject({
      name: "tix1 health",
      type: "http",
      url: "https://tix1.example.com/health",
      interval_seconds: 30,
      timeout_ms: 5000,
      component_id: tix1,
      incident: "draft",
      notify: true,
      show_chart: false,
      follow_redirects: true,
      state: "pending",
    });
    const html = await (await b.request("GET", "/admin/monitors?flash=monitor-created")).text();
    expect(html).toContain("Monitor added.");
    const card = html.slice(html.indexOf(`data-monitor-id="${saved!.id}"`)).split("</section>")[0]!;
    expect(card).toContain("tix1 health");
    expect(card).toContain("HTTP https://tix1.example.com/health");
    expect(card).toContain("<dd>tix1</dd>");
    expect(card).toContain("Waiting for its first check");
    expect(card).toContain("tone-maintenance");
    expect(card).toMatch(/Next check<\/dt>\s*<dd><time/);
  });

  it("shows a tcp monitor as host:port and refuses one without a port, showing what was typed and saving nothing", async () => {
    const { b, csrf } = await signedIn(t, "admin");
    const form = { csrf, name: "Wintix port", type: "tcp", host: "wintix.internal", port: "", interval_seconds: "60" };
    const res = await b.request("POST", "/admin/monitors", form);
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain("port: is required for a tcp monitor");
    expect(html).toContain('value="wintix.internal"');
    expect(html).toContain('value="Wintix port"');
    expect(await apiMonitors()).toEqual([]);

    const bad = await b.request("POST", "/admin/monitors", { ...form, port: "80", interval_seconds: "often" });
    expect(bad.status).toBe(422);
    expect(await bad.text()).toContain("interval_seconds");
    expect(await apiMonitors()).toEqual([]);

    const ok = await b.request("POST", "/admin/monitors", { ...form, port: "8443" });
    expect(ok.status).toBe(303);
    expect(await (await b.request("GET", "/admin/monitors")).text()).toContain("TCP wintix.internal:8443");
  });

  it("refuses a form without the csrf token, and a write-key session, and changes nothing", async () => {
    const admin = await signedIn(t, "admin");
    const { csrf: _omit, ...noToken } = httpForm(admin.csrf);
    expect((await admin.b.request("POST", "/admin/monitors", noToken)).status).toBe(403);
    expect((await admin.b.request("POST", "/admin/monitors", { ...noToken, csrf: "0".repeat(64) })).status).toBe(403);

    const writer = await signedIn(t, "write");
    expect(await (await writer.b.request("GET", "/admin")).text()).not.toContain('href="/admin/monitors"');
    expect((await writer.b.request("GET", "/admin/monitors")).status).toBe(403);
    expect((await writer.b.request("POST", "/admin/monitors", httpForm(writer.csrf))).status).toBe(403);
    expect(await apiMonitors()).toEqual([]);
  });

  it("pauses and resumes a monitor", async () => {
    const { b, csrf } = await signedIn(t, "admin");
    await b.request("POST", "/admin/monitors", httpForm(csrf));
    const [m] = await apiMonitors();
    const pause = await b.request("POST", `/admin/monitors/${m!.id}/pause`, { csrf });
    expect(pause.headers.get("location")).toBe("/admin/monitors?flash=monitor-paused");
    expect((await apiMonitors())[0]).toMatchObject({ paused: true, state: "paused", next_check_at: null });
    const html = await (await b.request("GET", "/admin/monitors")).text();
    expect(html).toContain("None while paused");
    expect(html).toContain(`action="/admin/monitors/${m!.id}/resume"`);
    await b.request("POST", `/admin/monitors/${m!.id}/resume`, { csrf });
    expect((await apiMonitors())[0]).toMatchObject({ paused: false });
  });

  it("shows a monitor's last 50 results, newest first, and never its header values", async () => {
    const created = await expectStatus<MonitorAnswer>(
      await t.call("POST", "/api/v1/monitors", {
        name: "Webtix",
        type: "http",
        url: "https://webtix.example.com/",
        headers: { Authorization: "Bearer sup3r-s3cret" },
      }),
      201,
    );
    const now = t.deps.clock();
    await t.deps.db.insert(monitorResults).values(
      Array.from({ length: 60 }, (_, i) => ({
        monitorId: created.id,
        at: now - (60 - i) * 60_000,
        level: i === 59 ? 2 : 0,
        responseMs: 100 + i,
        message: i === 59 ? "HTTP 503" : "HTTP 200",
      })),
    );
    const { b } = await signedIn(t, "admin");
    const res = await b.request("GET", `/admin/monitors/${created.id}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    const rows = [...html.matchAll(/<tr data-result>([\s\S]*?)<\/tr>/g)].map((r) => r[1]!);
    expect(rows).toHaveLength(50);
    expect(rows[0]).toContain("down");
    expect(rows[0]).toContain("159 ms");
    expect(rows[0]).toContain("HTTP 503");
    expect(rows[49]).toContain("110 ms");
    expect(html).toContain("Stored: Authorization (values hidden)");
    expect(html).not.toContain("sup3r-s3cret");
    expect((await b.request("GET", "/admin/monitors/nope")).status).toBe(404);
  });

  it("edits a monitor's settings without wiping its headers, and replaces them only when new ones are typed", async () => {
    const created = await expectStatus<MonitorAnswer>(
      await t.call("POST", "/api/v1/monitors", {
        name: "Webtix",
        type: "http",
        url: "https://webtix.example.com/",
        headers: { Authorization: "Bearer sup3r-s3cret" },
      }),
      201,
    );
    const { b, csrf } = await signedIn(t, "admin");
    const headersOf = async () => {
      const [row] = await t.deps.db.select().from(monitors);
      return (row!.check as { headers?: Record<string, string> }).headers;
    };
    const edit = httpForm(csrf, {
      name: "Webtix sales",
      url: "https://webtix.example.com/health",
      interval_seconds: "120",
    });
    const res = await b.request("POST", `/admin/monitors/${created.id}`, edit);
    expect(res.headers.get("location")).toBe(`/admin/monitors/${created.id}?flash=monitor-saved`);
    expect((await apiMonitors())[0]).toMatchObject({ name: "Webtix sales", interval_seconds: 120 });
    expect(await headersOf()).toEqual({ Authorization: "Bearer sup3r-s3cret" });

    await b.request("POST", `/admin/monitors/${created.id}`, { ...edit, headers: "X-Probe: marquee" });
    expect(await headersOf()).toEqual({ "X-Probe": "marquee" });

    const before = await t.deps.db.select().from(monitors);
    const refused = await b.request("POST", `/admin/monitors/${created.id}`, { ...edit, timeout_ms: "999999" });
    expect(refused.status).toBe(422);
    const html = await refused.text();
    expect(html).toContain("timeout_ms");
    expect(html).toContain('value="999999"');
    expect(await t.deps.db.select().from(monitors)).toEqual(before);
  });

  it("deletes a monitor after a confirmation page", async () => {
    const { b, csrf } = await signedIn(t, "admin");
    await b.request("POST", "/admin/monitors", httpForm(csrf));
    const [m] = await apiMonitors();
    const confirm = await b.request("GET", `/admin/monitors/${m!.id}/delete`);
    expect(confirm.status).toBe(200);
    const html = await confirm.text();
    expect(html).toContain("Delete tix1 health?");
    expect(html).toContain(`action="/admin/monitors/${m!.id}/delete"`);
    expect(await apiMonitors()).toHaveLength(1);
    const res = await b.request("POST", `/admin/monitors/${m!.id}/delete`, { csrf });
    expect(res.headers.get("location")).toBe("/admin/monitors?flash=monitor-deleted");
    expect(await apiMonitors()).toEqual([]);
    expect((await b.request("POST", `/admin/monitors/${m!.id}/delete`, { csrf })).status).toBe(404);
  });
});
