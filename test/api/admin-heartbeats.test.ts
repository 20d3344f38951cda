import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { auditLog, heartbeats } from "@/db/schema";
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

type HeartbeatAnswer = { id: string; name: string; state: string; paused: boolean; [k: string]: unknown };
const apiHeartbeats = async () => expectStatus<HeartbeatAnswer[]>(await t.call("GET", "/api/v1/heartbeats"), 200);

const shownPingUrl = (html: string) =>
  /id="ping-url-value" class="secret" type="text" readonly value="([^"]+)"/.exec(html)?.[1];
const ping = (url: string) => t.app.request(new URL(url).pathname, { method: "GET" });

describe("heartbeats in the console", () => {
  it("shows a new heartbeat's ping URL once, with a ready curl line, and never again", async () => {
    const { b, csrf } = await signedIn(t, "admin");
    const tix1 = await seededComponentId(t, "tix1");
    expect(await (await b.request("GET", "/admin")).text()).toMatch(/<nav[^>]*>[\s\S]*href="\/admin\/heartbeats"/);
    const res = await b.request("POST", "/admin/heartbeats", {
      csrf,
      name: "Nightly backup",
      period_minutes: "1440",
      grace_minutes: "60",
      schedule: "",
      time_zone: "UTC",
      component_id: tix1,
      down_status: "partial_outage",
      incident: "off",
    });
    expect(res.status).toBe(201);
    expect(res.headers.get("location")).toBeNull();
    expect(res.headers.get("cache-control")).toBe("no-store");
    const html = await res.text();
    const url = shownPingUrl(html)!;
    expect(url).toMatch(/\/ping\/[0-9a-f]{40}$/);
    expect(html).toContain(`value="curl -fsS -m 10 --retry 3 ${url}"`);
    const [saved] = await apiHeartbeats();
    expect(saved).toMatchObject({
      name: "Nightly backup",
      period_seconds: 86400,
      grace_seconds: 3600,
      component_id: tix1,
      down_status: "partial_outage",
      state: "new",
    });

    const token = url.split("/").at(-1)!;
    const list = await (await b.request("GET", "/admin/heartbeats")).text();
    expect(list).toContain("Nightly backup");
    expect(list).toContain("every 1 d, grace 1 h");
    expect(list).not.toContain(token);
    expect(await (await b.request("GET", `/admin/heartbeats/${saved!.id}`)).text()).not.toContain(token);
    expect(JSON.stringify(await t.deps.db.select().from(auditLog))).not.toContain(token);
    expect(JSON.stringify(await t.deps.db.select().from(heartbeats))).not.toContain(token);

    expect((await ping(url)).status).toBe(200);
    const page = await (await b.request("GET", `/admin/heartbeats/${saved!.id}`)).text();
    expect([...page.matchAll(/<tr data-ping>/g)]).toHaveLength(1);
    expect(page).toContain(">Up<");
  });

  it("refuses a bad schedule or period, showing what was typed and saving nothing", async () => {
    const { b, csrf } = await signedIn(t, "admin");
    const attempts: [Record<string, string>, string][] = [
      [{ csrf, name: "Export", schedule: "61 * * * *", time_zone: "UTC", grace_minutes: "60" }, "schedule"],
      [
        { csrf, name: "Export", period_minutes: "0", grace_minutes: "60" },
        "period_seconds: must be at least 60 seconds",
      ],
      [{ csrf, name: "Export", period_minutes: "60", grace_minutes: "60", time_zone: "Mars/Base" }, "time_zone"],
    ];
    for (const [form, message] of attempts) {
      const res = await b.request("POST", "/admin/heartbeats", form);
      expect(res.status).toBe(422);
      const html = await res.text();
      expect(html).toContain(message);
      expect(html).toContain('value="Export"');
      expect(shownPingUrl(html)).toBeUndefined();
    }
    const { csrf: _omit, ...noToken } = attempts[0]![0];
    expect((await b.request("POST", "/admin/heartbeats", { ...noToken, schedule: "0 3 * * *" })).status).toBe(403);
    const writer = await signedIn(t, "write");
    expect(await (await writer.b.request("GET", "/admin")).text()).not.toContain('href="/admin/heartbeats"');
    const writerRes = await writer.b.request("POST", "/admin/heartbeats", {
      csrf: writer.csrf,
      name: "x",
      period_minutes: "60",
    });
    expect(writerRes.status).toBe(403);
    expect(await apiHeartbeats()).toEqual([]);
  });

  it("takes a cron schedule in a time zone instead of the period", async () => {
    const { b, csrf } = await signedIn(t, "admin");
    const res = await b.request("POST", "/admin/heartbeats", {
      csrf,
      name: "Box office export",
      period_minutes: "1440",
      grace_minutes: "30",
      schedule: "0 3 * * *",
      time_zone: "Europe/Berlin",
    });
    expect(res.status).toBe(201);
    expect((await apiHeartbeats())[0]).toMatchObject({
      period_seconds: null,
      schedule: "0 3 * * *",
      time_zone: "Europe/Berlin",
      grace_seconds: 1800,
    });
    expect(await (await b.request("GET", "/admin/heartbeats")).text()).toContain(
      "schedule &quot;0 3 * * *&quot; in Europe/Berlin, grace 30 min",
    );
  });

  it("rotates the ping URL (the new one shown once, the old one dead), pauses, resumes and deletes after confirmation", async () => {
    const { b, csrf } = await signedIn(t, "admin");
    const created = await b.request("POST", "/admin/heartbeats", { csrf, name: "Backup", period_minutes: "60" });
    const oldUrl = shownPingUrl(await created.text())!;
    const [h] = await apiHeartbeats();

    const rotated = await b.request("POST", `/admin/heartbeats/${h!.id}/rotate`, { csrf });
    expect(rotated.status).toBe(200);
    const newUrl = shownPingUrl(await rotated.text())!;
    expect(newUrl).not.toBe(oldUrl);
    expect((await ping(oldUrl)).status).toBe(404);
    expect((await ping(newUrl)).status).toBe(200);

    const paused = await b.request("POST", `/admin/heartbeats/${h!.id}/pause`, { csrf });
    expect(paused.headers.get("location")).toBe("/admin/heartbeats?flash=heartbeat-paused");
    expect((await apiHeartbeats())[0]!.paused).toBe(true);
    expect(await (await b.request("GET", "/admin/heartbeats")).text()).toContain("Paused");
    await b.request("POST", `/admin/heartbeats/${h!.id}/resume`, { csrf });
    expect((await apiHeartbeats())[0]!.paused).toBe(false);

    const confirm = await (await b.request("GET", `/admin/heartbeats/${h!.id}/delete`)).text();
    expect(confirm).toContain("Delete Backup?");
    expect(await apiHeartbeats()).toHaveLength(1);
    const del = await b.request("POST", `/admin/heartbeats/${h!.id}/delete`, { csrf });
    expect(del.headers.get("location")).toBe("/admin/heartbeats?flash=heartbeat-deleted");
    expect(await apiHeartbeats()).toEqual([]);
    expect((await ping(newUrl)).status).toBe(404);
    expect((await b.request("POST", `/admin/heartbeats/${h!.id}/rotate`, { csrf })).status).toBe(404);
  });
});
