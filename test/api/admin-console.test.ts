import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeApp } from "@/test/support/app";
import { consoleBrowser } from "@/test/support/console-browser";
import {
  type CreatedApiKey,
  expectStatus,
  getComponent,
  seededComponentId,
  type TestApp,
  type V2Incident,
  type V2Maintenance,
} from "@/test/support/factories";

let t: TestApp;
beforeEach(async () => {
  t = await makeApp();
});
afterEach(async () => {
  await t.cleanup();
});

/** A browser of one on the console of this test's app. */
const browser = () => consoleBrowser(t);

describe("signing in to the staff console", () => {
  it("answers a multipart body without its boundary with a readable 400 page, not a server error", async () => {
    const res = await t.app.request("/admin/login", {
      method: "POST",
      headers: { "content-type": "multipart/form-data" },
      body: "key=whatever",
    });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toMatch(/text\/html/);
    expect(await res.text()).toContain("The form could not be read");
    expect(res.headers.get("set-cookie")).toBeNull();
  });

  it("answers a wrong key with the login page again, after a delay, and no cookie", async () => {
    const started = Date.now();
    const res = await browser().signIn("mq_aaaaaaaaaaaa_wrongwrongwrongwrong");
    expect(res.status).toBe(401);
    expect(Date.now() - started).toBeGreaterThanOrEqual(450);
    expect(res.headers.get("set-cookie")).toBeNull();
    expect(await res.text()).toContain("That key cannot sign in");
  });

  it("refuses a read-only key", async () => {
    const res = await browser().signIn(t.keys.read);
    expect(res.status).toBe(401);
    expect(res.headers.get("set-cookie")).toBeNull();
  });

  it("sets an HttpOnly, Secure, SameSite=Strict session cookie for /admin and goes to the dashboard", async () => {
    const res = await browser().signIn();
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/admin");
    const cookie = res.headers.get("set-cookie")!;
    expect(cookie).toMatch(/^marquee_admin=[a-z0-9]+\.\d+\.[0-9a-f]{64};/);
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; Secure/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    expect(cookie).toMatch(/; Path=\/admin/);
    expect(cookie).toMatch(/; Max-Age=43200/);
  });

  it("lists the seeded components on the dashboard", async () => {
    const b = browser();
    await b.signIn();
    const res = await b.request("GET", "/admin");
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const html = await res.text();
    for (const name of ["tix1", "tix2", "tix3", "tix4", "tix5", "Webtix", "Wintix"]) expect(html).toContain(name);
  });

  it("sends the dashboard to the login page without a session, or with a tampered or expired one", async () => {
    const bare = await t.app.request("/admin");
    expect(bare.status).toBe(303);
    expect(bare.headers.get("location")).toBe("/admin/login");

    const b = browser();
    await b.signIn();
    const [id, expires, mac] = b.cookie!.split("=")[1]!.split(".");
    const later = `marquee_admin=${id}.${Number(expires) + 1000}.${mac}`;
    expect((await t.app.request("/admin", { headers: { cookie: later } })).headers.get("location")).toBe(
      "/admin/login",
    );

    t.clock.advance(12 * 60 * 60 * 1000 + 1);
    expect((await b.request("GET", "/admin")).headers.get("location")).toBe("/admin/login");
  });

  it("ends the session of a revoked key", async () => {
    const created = await expectStatus<CreatedApiKey>(
      await t.call("POST", "/api/v1/api-keys", { name: "on call", scopes: ["write"] }),
      201,
    );
    const b = browser();
    await b.signIn(created.key);
    expect((await b.request("GET", "/admin")).status).toBe(200);
    await expectStatus(await t.call("DELETE", `/api/v1/api-keys/${created.id}`), 200);
    expect((await b.request("GET", "/admin")).headers.get("location")).toBe("/admin/login");
  });

  it("signing out sends the dashboard back to the login page", async () => {
    const b = browser();
    await b.signIn();
    const res = await b.request("POST", "/admin/logout", { csrf: await b.csrf() });
    expect(res.status).toBe(303);
    expect(res.headers.get("set-cookie")).toMatch(/^marquee_admin=;.*Max-Age=0/);
    expect(b.cookie).toBeNull();
    expect((await b.request("GET", "/admin")).headers.get("location")).toBe("/admin/login");
  });
});

describe("forged console requests", () => {
  it("refuses a POST without the csrf token with 403 and changes nothing", async () => {
    const tix1 = await seededComponentId(t, "tix1");
    const b = browser();
    await b.signIn();
    const res = await b.request("POST", `/admin/components/${tix1}`, { status: "major_outage" });
    expect(res.status).toBe(403);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const wrong = await b.request("POST", "/admin/incidents", { csrf: "0".repeat(64), name: "Forged" });
    expect(wrong.status).toBe(403);
    expect((await getComponent(t, tix1)).status).toBe("operational");
    expect(await expectStatus(await t.call("GET", "/api/v1/incidents"), 200)).toEqual([]);
  });

  it("refuses a POST from another origin even with the right token", async () => {
    const tix1 = await seededComponentId(t, "tix1");
    const b = browser();
    await b.signIn();
    const csrf = await b.csrf();
    const res = await b.request(
      "POST",
      `/admin/components/${tix1}`,
      { csrf, status: "major_outage" },
      { origin: "https://evil.example" },
    );
    expect(res.status).toBe(403);
    expect((await getComponent(t, tix1)).status).toBe("operational");
  });
});

describe("working an incident from the console", () => {
  it("opens an incident, posts identified, resolves it, and publishes each step", async () => {
    const tix1 = await seededComponentId(t, "tix1");
    const b = browser();
    await b.signIn();
    const csrf = await b.csrf();

    const opened = await b.request("POST", "/admin/incidents", {
      csrf,
      name: "tix1 down",
      body: "We are investigating this issue.",
      [`component:${tix1}`]: "major_outage",
      notify: "on",
    });
    expect(opened.status).toBe(303);
    expect(opened.headers.get("location")).toBe("/admin?flash=opened");
    expect(await (await b.request("GET", opened.headers.get("location")!)).text()).toContain("Incident opened.");
    const [incident] = await expectStatus<V2Incident[]>(await t.call("GET", "/api/v1/incidents"), 200);
    expect(incident).toMatchObject({ name: "tix1 down", status: "investigating", impact: "critical" });
    expect((await getComponent(t, tix1)).status).toBe("major_outage");
    expect(t.changes).toContainEqual({ incidents: [incident.id] });

    const identified = await b.request("POST", `/admin/incidents/${incident.id}/updates`, {
      csrf,
      status: "identified",
      body: "The provider rebooted the data centre.",
    });
    expect(identified.headers.get("location")).toBe("/admin?flash=updated");

    const resolved = await b.request("POST", `/admin/incidents/${incident.id}/resolve`, { csrf, notify: "on" });
    expect(resolved.headers.get("location")).toBe("/admin?flash=resolved");

    const after = await expectStatus<V2Incident>(await t.call("GET", `/api/v1/incidents/${incident.id}`), 200);
    expect(after.status).toBe("resolved");
    expect(after.incident_updates.map((u) => u.status)).toEqual(["resolved", "identified", "investigating"]);
    expect(after.incident_updates[1].deliver_notifications).toBe(false);
    expect((await getComponent(t, tix1)).status).toBe("operational");
  });

  it("sets a component's status", async () => {
    const webtix = await seededComponentId(t, "Webtix");
    const b = browser();
    await b.signIn();
    const res = await b.request("POST", `/admin/components/${webtix}`, {
      csrf: await b.csrf(),
      status: "degraded_performance",
    });
    expect(res.headers.get("location")).toBe("/admin?flash=component");
    expect((await getComponent(t, webtix)).status).toBe("degraded_performance");
    expect(t.changes).toContainEqual({});
  });

  it("shows a refused form again with its message and 422, and changes nothing", async () => {
    const tix1 = await seededComponentId(t, "tix1");
    const b = browser();
    await b.signIn();
    const res = await b.request("POST", "/admin/incidents", {
      csrf: await b.csrf(),
      name: "   ",
      body: "Kept text",
      [`component:${tix1}`]: "major_outage",
    });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain("name: must not be empty");
    expect(html).toContain("Kept text");
    expect(await expectStatus(await t.call("GET", "/api/v1/incidents"), 200)).toEqual([]);
    expect((await getComponent(t, tix1)).status).toBe("operational");
  });

  it("escapes staff text on the dashboard", async () => {
    const b = browser();
    await b.signIn();
    await b.request("POST", "/admin/incidents", { csrf: await b.csrf(), name: "<script>alert(1)</script>" });
    const html = await (await b.request("GET", "/admin")).text();
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).not.toContain("<script>alert(1)</script>");
  });
});

describe("scheduling maintenance from the console", () => {
  it("reads start and end in the page's time zone", async () => {
    await expectStatus(await t.call("PATCH", "/api/v1/page", { time_zone: "Europe/Paris" }), 200);
    const tix2 = await seededComponentId(t, "tix2");
    const b = browser();
    await b.signIn();
    const res = await b.request(
      "POST",
      "/admin/maintenances",
      new URLSearchParams([
        ["csrf", await b.csrf()],
        ["name", "Disk swap"],
        ["start", "2030-07-01T22:00"],
        ["end", "2030-07-01T23:30"],
        ["components", tix2],
      ]),
    );
    expect(res.headers.get("location")).toBe("/admin?flash=scheduled");
    const [maintenance] = await expectStatus<V2Maintenance[]>(await t.call("GET", "/api/v1/maintenances"), 200);
    expect(Date.parse(maintenance.scheduled_for!)).toBe(Date.parse("2030-07-01T20:00:00Z"));
    expect(Date.parse(maintenance.scheduled_until!)).toBe(Date.parse("2030-07-01T21:30:00Z"));
    expect(maintenance.components.map((c) => c.id)).toEqual([tix2]);
  });

  it("refuses an end before the start with 422", async () => {
    const b = browser();
    await b.signIn();
    const res = await b.request("POST", "/admin/maintenances", {
      csrf: await b.csrf(),
      name: "Backwards",
      start: "2030-07-01T22:00",
      end: "2030-07-01T21:00",
    });
    expect(res.status).toBe(422);
    expect(await res.text()).toContain("scheduled_until must be after scheduled_for");
    expect(await expectStatus(await t.call("GET", "/api/v1/maintenances"), 200)).toEqual([]);
  });
});
