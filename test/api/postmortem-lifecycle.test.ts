import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { deliveries } from "@/db/schema";
import { makeApp } from "../support/app";
import { expectStatus, openIncident, postUpdate, seededComponentId, type TestApp } from "../support/factories";
import { readOutbox, recipients } from "../support/outbox";

let t: TestApp;
beforeEach(async () => {
  t = await makeApp();
});
afterEach(async () => {
  await t.cleanup();
});

const path = (id: string, rest = "") => `/api/v1/incidents/${id}/postmortem${rest}`;

/** Every published page, JSON document and feed, as bytes readers get. */
async function everythingPublished(): Promise<string> {
  await t.publisher.idle();
  const texts: string[] = [];
  for (const p of await t.store.paths()) texts.push(`${p}\n${new TextDecoder().decode(t.store.get(p)!.body)}`);
  return texts.join("\n");
}

const text = async (p: string) => {
  await t.publisher.idle();
  return new TextDecoder().decode(t.store.get(p)!.body);
};

/** The emails sent so far to one address. */
const mailsTo = async (address: string) => {
  await t.notifier.idle();
  return (await readOutbox(t.outbox)).filter((m) => recipients(m).includes(address));
};

type V2List = { incidents: { id: string; status: string; incident_updates: { status: string }[] }[] };

async function setup() {
  const tix1 = await seededComponentId(t, "tix1");
  const wintix = await seededComponentId(t, "Wintix");
  await t.call("POST", "/api/v1/subscribers/import", {
    subscribers: [
      { email: "tix1@example.com", components: [tix1] },
      { email: "wintix@example.com", components: [wintix] },
      { email: "everything@example.com" },
    ],
    skip_confirmation: true,
  });
  const incident = await openIncident(t, {
    name: "Webtix down on tix1",
    components: { [tix1]: "major_outage" },
    notify: false,
  });
  await postUpdate(t, incident.id, { status: "resolved", body: "Back since 15:20.", notify: false });
  return incident.id;
}

describe("a postmortem's lifecycle", () => {
  it("stays unseen as a draft, shows once published, tells subscribers once, and hides when unpublished", async () => {
    const id = await setup();
    const atomBefore = await text("/history.atom");

    // A draft: no page, feed or JSON document carries a byte of it.
    await t.call("PUT", path(id), { body: "DRAFT-7f3a: **the provider** rebooted a whole data centre." });
    expect(await everythingPublished()).not.toContain("DRAFT-7f3a");
    expect((await mailsTo("tix1@example.com")).length).toBe(0);

    // Published, with subscribers told.
    t.clock.advance(3_600_000);
    await expectStatus(await t.call("POST", path(id, "/publish"), { notify: true }), 200);
    const page = await text(`/incidents/${id}`);
    expect(page).toContain('<h2 id="postmortem">Postmortem</h2>');
    expect(page).toContain("DRAFT-7f3a: <strong>the provider</strong> rebooted");
    expect(page).toMatch(/Published <time datetime="[^"]+">/);

    const incidents = JSON.parse(await text("/api/v2/incidents.json")) as V2List;
    const listed = incidents.incidents.find((i) => i.id === id)!;
    expect(listed.status).toBe("postmortem");
    expect(listed.incident_updates.map((u) => u.status)).toEqual(["resolved", "investigating"]);

    const atom = await text("/history.atom");
    const entry = (xml: string) => xml.slice(xml.indexOf(`Incident/${id}`));
    const field = (xml: string, name: string) => entry(xml).match(new RegExp(`<${name}>([^<]+)</${name}>`))![1];
    expect(field(atom, "published")).toBe(field(atomBefore, "published"));
    expect(Date.parse(field(atom, "updated"))).toBeGreaterThan(Date.parse(field(atomBefore, "updated")));
    expect(entry(atom)).toContain("&lt;strong&gt;Postmortem&lt;/strong&gt; - DRAFT-7f3a");
    expect(await text("/history.rss")).toContain("<strong>Postmortem</strong> - DRAFT-7f3a");
    expect(await text("/")).toContain("<strong>Postmortem</strong> published");
    expect(await text("/history")).toMatch(/Webtix down on tix1<\/a><\/h3>\s*<p>\s*Critical impact · Postmortem/);

    const [mail, ...more] = await mailsTo("tix1@example.com");
    expect(more).toHaveLength(0);
    expect(mail!.subject).toContain("Postmortem: Webtix down on tix1");
    expect(mail!.html).toContain("DRAFT-7f3a: <strong>the provider</strong> rebooted");
    expect(mail!.text).toContain(`https://status.example.com/incidents/${id}`);
    expect(await mailsTo("everything@example.com")).toHaveLength(1);
    expect(await mailsTo("wintix@example.com")).toHaveLength(0);

    // Published again (a retry, an edit): nobody is told twice.
    await t.call("PUT", path(id), { body: "DRAFT-7f3a, second edition." });
    await expectStatus(await t.call("POST", path(id, "/publish"), { notify: true }), 200);
    expect(await text(`/incidents/${id}`)).toContain("DRAFT-7f3a, second edition.");
    expect(await mailsTo("tix1@example.com")).toHaveLength(1);

    // Unpublished: resolved again, and the text is gone from every page.
    await expectStatus(await t.call("POST", path(id, "/unpublish")), 200);
    expect(await everythingPublished()).not.toContain("DRAFT-7f3a");
    const after = JSON.parse(await text("/api/v2/incidents.json")) as V2List;
    expect(after.incidents.find((i) => i.id === id)!.status).toBe("resolved");

    // Republished with notify: still no second email.
    await expectStatus(await t.call("POST", path(id, "/publish"), { notify: true }), 200);
    expect(await text(`/incidents/${id}`)).toContain("DRAFT-7f3a, second edition.");
    expect(await mailsTo("tix1@example.com")).toHaveLength(1);
    expect(await mailsTo("everything@example.com")).toHaveLength(1);
  });

  it("tells nobody when published without notify, and tells them on a later publish that asks", async () => {
    const id = await setup();
    await t.call("PUT", path(id), { body: "What happened." });
    await t.call("POST", path(id, "/publish"), { notify: false });
    expect(await mailsTo("tix1@example.com")).toHaveLength(0);
    await t.call("POST", path(id, "/unpublish"));
    await t.call("POST", path(id, "/publish"), { notify: true });
    expect(await mailsTo("tix1@example.com")).toHaveLength(1);
  });

  it("drops the emails not sent yet when unpublished, and never queues them again", async () => {
    const id = await setup();
    await t.notifier.stop();
    await t.call("PUT", path(id), { body: "What happened." });
    await t.call("POST", path(id, "/publish"), { notify: true });
    expect(await t.deps.db.select().from(deliveries)).toHaveLength(2);
    await t.call("POST", path(id, "/unpublish"));
    expect(await t.deps.db.select().from(deliveries)).toEqual([]);
    await t.call("POST", path(id, "/publish"), { notify: true });
    expect(await t.deps.db.select().from(deliveries)).toEqual([]);
  });

  it("tells subscribers once when two publishes race", async () => {
    const id = await setup();
    await t.call("PUT", path(id), { body: "What happened." });
    const answers = await Promise.all([
      t.call("POST", path(id, "/publish"), { notify: true }),
      t.call("POST", path(id, "/publish"), { notify: true }),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    expect(await mailsTo("tix1@example.com")).toHaveLength(1);
  });

  it("renders staff HTML in the body as text, on the page, in the feed and in the email", async () => {
    const id = await setup();
    const attack =
      'XSS-1 <script>alert(1)</script> <img src=x onerror=alert(2)> [link](javascript:alert(3)) <a href="javascript:alert(4)">a</a>';
    await t.call("PUT", path(id), { body: attack });
    await t.call("POST", path(id, "/publish"), { notify: true });
    const page = await text(`/incidents/${id}`);
    const section = page.slice(page.indexOf('id="postmortem"'), page.indexOf('id="updates"'));
    expect(section).toContain("XSS-1 &lt;script&gt;alert(1)&lt;/script&gt;");
    expect(section).not.toMatch(/<script|<img|href="javascript:/i);
    expect(section).not.toContain("onerror=alert(2)>");
    const rss = await text("/history.rss");
    expect(rss).not.toMatch(/<script>alert/);
    const [mail] = await mailsTo("tix1@example.com");
    expect(mail!.html).not.toMatch(/<script|<img|href="javascript:/i);
    expect(mail!.html).toContain("&lt;script&gt;");
  });
});
