import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { incidentTemplates } from "@/db/schema";
import { makeApp } from "@/test/support/app";
import { signedIn } from "@/test/support/console-browser";
import {
  createComponent,
  createIncidentTemplate,
  expectStatus,
  type IncidentTemplateAnswer,
  seededComponentId,
  type TestApp,
  type V2Incident,
} from "@/test/support/factories";

let t: TestApp;
beforeEach(async () => {
  t = await makeApp();
});
afterEach(async () => {
  await t.cleanup();
});

const templates = async () =>
  expectStatus<IncidentTemplateAnswer[]>(await t.call("GET", "/api/v1/incident-templates"), 200);
/** The value of a select on the page: the option marked selected. */
const selected = (html: string, id: string) =>
  new RegExp(`<select id="${id}"[^>]*>[\\s\\S]*?<option value="([^"]*)" selected`).exec(
    html.slice(html.indexOf(`<select id="${id}"`)).split("</select>")[0]! + "</select>",
  )?.[1] ?? "";

describe("incident templates in the console", () => {
  it("saves a template from the form, edits it and deletes it", async () => {
    const { b, csrf } = await signedIn(t);
    const tix1 = await seededComponentId(t, "tix1");
    expect(await (await b.request("GET", "/admin")).text()).toMatch(/<nav[^>]*>[\s\S]*href="\/admin\/templates"/);
    const res = await b.request("POST", "/admin/templates", {
      csrf,
      name: "Data centre down",
      title: "Webtix unavailable",
      status: "identified",
      body: "A data centre is down.",
      [`component:${tix1}`]: "major_outage",
    });
    expect(res.headers.get("location")).toBe("/admin/templates?flash=template-created");
    const [saved] = await templates();
    expect(saved).toMatchObject({
      name: "Data centre down",
      title: "Webtix unavailable",
      status: "identified",
      body: "A data centre is down.",
      components: { [tix1]: "major_outage" },
      notify: false,
    });

    const edit = await (await b.request("GET", `/admin/templates/${saved!.id}`)).text();
    expect(edit).toContain('value="Webtix unavailable"');
    expect(selected(edit, `template-${tix1}`)).toBe("major_outage");
    expect(selected(edit, "template-status")).toBe("identified");
    const saveRes = await b.request("POST", `/admin/templates/${saved!.id}`, {
      csrf,
      name: "Data centre down",
      title: "Webtix down",
      status: "investigating",
      body: "",
      notify: "on",
    });
    expect(saveRes.headers.get("location")).toBe("/admin/templates?flash=template-saved");
    expect((await templates())[0]).toMatchObject({ title: "Webtix down", components: {}, notify: true });

    const del = await b.request("POST", `/admin/templates/${saved!.id}/delete`, { csrf });
    expect(del.headers.get("location")).toBe("/admin/templates?flash=template-deleted");
    expect(await templates()).toEqual([]);
    expect((await b.request("GET", `/admin/templates/${saved!.id}`)).status).toBe(404);
  });

  it("refuses a template naming an unknown component, a taken name or no title, and saves nothing", async () => {
    const { b, csrf } = await signedIn(t);
    const taken = await createIncidentTemplate(t, { name: "Taken" });
    const before = await t.deps.db.select().from(incidentTemplates);
    const attempts: [Record<string, string>, number, string][] = [
      [
        { csrf, name: "Ghost", title: "Kept title", "component:nope": "major_outage" },
        422,
        "Unknown component id: nope",
      ],
      [
        { csrf, name: "Taken", title: "Kept title" },
        409,
        "An incident template named &quot;Taken&quot; already exists",
      ],
      [{ csrf, name: "No title", title: "" }, 422, "title: must not be empty"],
    ];
    for (const [form, status, message] of attempts) {
      const res = await b.request("POST", "/admin/templates", form);
      expect(res.status).toBe(status);
      const html = await res.text();
      expect(html).toContain(message);
      if (form.title) expect(html).toContain('value="Kept title"');
    }
    expect((await b.request("POST", `/admin/templates/${taken.id}`, { name: "x", title: "y" })).status).toBe(403);
    expect(await t.deps.db.select().from(incidentTemplates)).toEqual(before);
  });

  it("fills the new-incident form from ?template=, and the form opens the incident it shows", async () => {
    const { b, csrf } = await signedIn(t);
    const webtix = await seededComponentId(t, "Webtix");
    const doomed = await createComponent(t, { name: "Old box" });
    const template = await createIncidentTemplate(t, {
      name: "Webtix slow",
      title: "Webtix is slow",
      status: "identified",
      body: "",
      components: { [webtix]: "degraded_performance", [doomed.id]: "major_outage" },
      notify: false,
    });
    await expectStatus(await t.call("DELETE", `/api/v1/components/${doomed.id}`), 204);

    const plain = await (await b.request("GET", "/admin")).text();
    expect(plain).toContain('<select id="incident-template" name="template">');
    expect(plain).toContain(`<option value="${template.id}">Webtix slow</option>`);

    const html = await (await b.request("GET", `/admin?template=${template.id}`)).text();
    expect(html).toContain(
      'id="incident-name" name="name" type="text" required maxlength="255" value="Webtix is slow"',
    );
    expect(selected(html, "incident-status")).toBe("identified");
    // An empty template body starts from the text of its status.
    expect(html).toContain("The issue has been identified and a fix is being implemented.</textarea>");
    expect(selected(html, `affect-${webtix}`)).toBe("degraded_performance");
    expect(html).not.toContain(doomed.id);
    expect(html).toMatch(
      /<input type="checkbox" name="notify"> Notify subscribers<\/label>\s*<button type="submit">Open incident/,
    );

    // What the browser then posts: the fields as filled in.
    const res = await b.request("POST", "/admin/incidents", {
      csrf,
      name: "Webtix is slow",
      status: "identified",
      body: "The issue has been identified and a fix is being implemented.",
      [`component:${webtix}`]: "degraded_performance",
    });
    expect(res.headers.get("location")).toBe("/admin?flash=opened");
    const [incident] = await expectStatus<V2Incident[]>(await t.call("GET", "/api/v1/incidents"), 200);
    expect(incident).toMatchObject({ name: "Webtix is slow", status: "identified" });
    expect(incident!.incident_updates[0]!.deliver_notifications).toBe(false);
    expect(incident!.components.map((c) => c.id)).toEqual([webtix]);
  });

  it("ignores a ?template= that names no template", async () => {
    const { b } = await signedIn(t);
    const res = await b.request("GET", "/admin?template=nope");
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('id="incident-name" name="name" type="text" required maxlength="255" value>');
  });
});
