import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { incidentDrafts, monitors } from "@/db/schema";
import { makeApp } from "@/test/support/app";
import { consoleBrowser } from "@/test/support/console-browser";
import { expectStatus, getComponent, seededComponentId, type TestApp, type V2Incident } from "@/test/support/factories";

let t: TestApp;
beforeEach(async () => {
  t = await makeApp();
});
afterEach(async () => {
  await t.cleanup();
});

/** A draft as a monitor with `"incident": "draft"` prepares it. */
async function draftFor(componentId: string, name = "tix1 is not responding") {
  const id = `draft${Math.random().toString(36).slice(2, 10)}`;
  await t.deps.db.insert(incidentDrafts).values({
    id,
    name,
    body: "Automatic monitoring found a problem with tix1.",
    components: { [componentId]: "major_outage" },
    notify: false,
    sourceKind: "monitor",
    sourceId: "m1",
    createdAt: t.deps.clock(),
  });
  return id;
}
const unresolved = async () =>
  (await expectStatus<V2Incident[]>(await t.call("GET", "/api/v1/incidents"), 200)).filter(
    (i) => i.resolved_at === null,
  );

describe("incident drafts and automatic status on the dashboard", () => {
  it("a write-key session publishes a draft from the dashboard, which opens the incident", async () => {
    const tix1 = await seededComponentId(t, "tix1");
    const id = await draftFor(tix1);
    const b = consoleBrowser(t);
    await b.signIn(t.keys.write);
    const html = await (await b.request("GET", "/admin")).text();
    const card = html.slice(html.indexOf(`data-draft-id="${id}"`)).split("</section>")[0]!;
    expect(card).toContain("tix1 is not responding");
    expect(card).toContain("tix1 · since");
    expect(card).toContain(`action="/admin/incident-drafts/${id}/publish"`);
    const csrf = await b.csrf();
    expect((await b.request("POST", `/admin/incident-drafts/${id}/publish`, {})).status).toBe(403);
    expect(await t.deps.db.select().from(incidentDrafts)).toHaveLength(1);

    const res = await b.request("POST", `/admin/incident-drafts/${id}/publish`, { csrf });
    expect(res.headers.get("location")).toBe("/admin?flash=draft-published");
    expect(await t.deps.db.select().from(incidentDrafts)).toEqual([]);
    const [incident] = await unresolved();
    expect(incident).toMatchObject({ name: "tix1 is not responding", status: "investigating" });
    expect((await getComponent(t, tix1)).status).toBe("major_outage");
    expect((await b.request("POST", `/admin/incident-drafts/${id}/publish`, { csrf })).status).toBe(404);
  });

  it("discards a draft and opens nothing", async () => {
    const id = await draftFor(await seededComponentId(t, "tix1"));
    const b = consoleBrowser(t);
    await b.signIn(t.keys.write);
    const res = await b.request("POST", `/admin/incident-drafts/${id}/discard`, { csrf: await b.csrf() });
    expect(res.headers.get("location")).toBe("/admin?flash=draft-discarded");
    expect(await t.deps.db.select().from(incidentDrafts)).toEqual([]);
    expect(await unresolved()).toEqual([]);
  });

  it("counts monitors down or degraded and heartbeats late or down in the automatic status box", async () => {
    for (const name of ["a", "b", "c"]) {
      await expectStatus(
        await t.call("POST", "/api/v1/monitors", { name, type: "http", url: `https://${name}.example.com/` }),
        201,
      );
    }
    const [a, b2] = await t.deps.db.select().from(monitors);
    await t.deps.db.update(monitors).set({ state: "down" }).where(eq(monitors.id, a!.id));
    await t.deps.db.update(monitors).set({ state: "degraded" }).where(eq(monitors.id, b2!.id));
    await expectStatus(await t.call("POST", "/api/v1/heartbeats", { name: "Backup", period_seconds: 3600 }), 201);
    const b = consoleBrowser(t);
    await b.signIn(t.keys.write);
    const html = await (await b.request("GET", "/admin")).text();
    const box = html.slice(html.indexOf('id="automatic-status"')).split("</section>")[0]!.replace(/\s+/g, " ");
    expect(box).toContain("Monitors: 1 down, 1 degraded, of 3");
    expect(box).toContain("Heartbeats: 0 down, 0 late, of 1");
    expect(box).not.toContain('href="/admin/monitors"');
  });
});
