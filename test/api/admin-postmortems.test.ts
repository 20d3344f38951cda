import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeApp } from "@/test/support/app";
import { signedIn } from "@/test/support/console-browser";
import { expectStatus, openIncident, postUpdate, type TestApp } from "@/test/support/factories";

let t: TestApp;
beforeEach(async () => {
  t = await makeApp();
});
afterEach(async () => {
  await t.cleanup();
});

type Postmortem = { incident_status: string; body: string | null; published_body: string | null };
const postmortem = async (id: string) =>
  expectStatus<Postmortem>(await t.call("GET", `/api/v1/incidents/${id}/postmortem`), 200);

async function resolvedIncident(name = "Webtix down on tix1") {
  const incident = await openIncident(t, { name, notify: false });
  await postUpdate(t, incident.id, { status: "resolved", notify: false });
  return incident.id;
}

describe("the postmortem editor in the console", () => {
  it("links a resolved incident from the dashboard to its page, which saves, publishes and unpublishes", async () => {
    const id = await resolvedIncident();
    const { b, csrf } = await signedIn(t);
    const dashboard = await (await b.request("GET", "/admin")).text();
    expect(dashboard).toContain(`href="/admin/incidents/${id}#postmortem"`);

    const empty = await (await b.request("GET", `/admin/incidents/${id}`)).text();
    expect(empty).toContain("No postmortem yet.");
    expect(empty).toContain(`action="/admin/incidents/${id}/postmortem"`);

    const saved = await b.request("POST", `/admin/incidents/${id}/postmortem`, { csrf, body: "## Cause\nA reboot." });
    expect(saved.status).toBe(303);
    expect(saved.headers.get("location")).toBe(`/admin/incidents/${id}?flash=postmortem-saved`);
    expect((await postmortem(id)).body).toBe("## Cause\nA reboot.");
    const draftPage = await (await b.request("GET", `/admin/incidents/${id}?flash=postmortem-saved`)).text();
    expect(draftPage).toContain("Postmortem draft saved.");
    expect(draftPage).toContain("## Cause\nA reboot.</textarea>");

    const published = await b.request("POST", `/admin/incidents/${id}/postmortem/publish`, { csrf, notify: "on" });
    expect(published.headers.get("location")).toBe(`/admin/incidents/${id}?flash=postmortem-published`);
    expect(await postmortem(id)).toMatchObject({
      incident_status: "postmortem",
      published_body: "## Cause\nA reboot.",
    });
    const publishedPage = await (await b.request("GET", `/admin/incidents/${id}`)).text();
    expect(publishedPage).toContain("subscribers were told");
    expect(publishedPage).toContain(`action="/admin/incidents/${id}/postmortem/unpublish"`);

    const unpublished = await b.request("POST", `/admin/incidents/${id}/postmortem/unpublish`, { csrf });
    expect(unpublished.headers.get("location")).toBe(`/admin/incidents/${id}?flash=postmortem-unpublished`);
    expect(await postmortem(id)).toMatchObject({ incident_status: "resolved", published_body: null });
  });

  it("shows an empty draft again with the message, and saves nothing", async () => {
    const id = await resolvedIncident();
    const { b, csrf } = await signedIn(t);
    const res = await b.request("POST", `/admin/incidents/${id}/postmortem`, { csrf, body: "  " });
    expect(res.status).toBe(422);
    expect(await res.text()).toContain('role="alert"');
    await expectStatus(await t.call("GET", `/api/v1/incidents/${id}/postmortem`), 404);
  });

  it("refuses a form without the session's csrf token, and a draft for an open incident", async () => {
    const id = await resolvedIncident();
    const { b, csrf } = await signedIn(t);
    expect((await b.request("POST", `/admin/incidents/${id}/postmortem`, { body: "x" })).status).toBe(403);
    const open = await openIncident(t, { name: "Still down", notify: false });
    const res = await b.request("POST", `/admin/incidents/${open.id}/postmortem`, { csrf, body: "x" });
    expect(res.status).toBe(409);
    expect(await res.text()).toContain("once the incident is resolved");
    expect((await b.request("GET", "/admin/incidents/nosuchincident")).status).toBe(404);
  });

  it("shows staff HTML in the draft as text", async () => {
    const id = await resolvedIncident();
    const { b, csrf } = await signedIn(t);
    await b.request("POST", `/admin/incidents/${id}/postmortem`, {
      csrf,
      body: "</textarea><script>alert(1)</script>",
    });
    await b.request("POST", `/admin/incidents/${id}/postmortem/publish`, { csrf });
    const html = await (await b.request("GET", `/admin/incidents/${id}`)).text();
    expect(html).not.toContain("<script>alert(1)</script>");
    expect(html).toContain("&lt;/textarea&gt;&lt;script&gt;alert(1)&lt;/script&gt;");
  });
});
