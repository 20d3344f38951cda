import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeApp } from "@/test/support/app";
import { signedIn } from "@/test/support/console-browser";
import {
  createComponent,
  createGroup,
  dbSnapshot,
  expectStatus,
  getComponent,
  seededComponentId,
  type TestApp,
  type V2Component,
  type V2Group,
} from "@/test/support/factories";

let t: TestApp;
beforeEach(async () => {
  t = await makeApp();
});
afterEach(async () => {
  await t.cleanup();
});

const components = async () => expectStatus<V2Component[]>(await t.call("GET", "/api/v1/components"), 200);
const groups = async () => expectStatus<V2Group[]>(await t.call("GET", "/api/v1/groups"), 200);
const names = (list: { name: string }[]) => list.map((x) => x.name);

describe("managing components from the console", () => {
  it("lists groups and components in page order, linked from the console nav", async () => {
    const { b } = await signedIn(t);
    expect(await (await b.request("GET", "/admin")).text()).toMatch(/<nav[^>]*>[\s\S]*href="\/admin\/components"/);
    const res = await b.request("GET", "/admin/components");
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const html = await res.text();
    expect(html).toContain("<h1>Components</h1>");
    const order = ["Ticketing servers", "tix1", "tix5", "Webtix", "Wintix"].map((n) => html.indexOf(`value="${n}"`));
    expect(order.every((i) => i > 0)).toBe(true);
    expect(order).toEqual([...order].sort((x, y) => x - y));
  });

  it("creates a component in a group, and publishes it", async () => {
    const { b, csrf } = await signedIn(t);
    const group = await createGroup(t, { name: "Box office" });
    const res = await b.request("POST", "/admin/components", {
      csrf,
      name: "Wintix Paris",
      group_id: group.id,
      status: "degraded_performance",
      description: "The box-office program in Paris",
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/admin/components?flash=component-created");
    expect(await (await b.request("GET", res.headers.get("location")!)).text()).toContain("Component created.");
    const created = (await components()).find((c) => c.name === "Wintix Paris")!;
    expect(created).toMatchObject({
      group_id: group.id,
      status: "degraded_performance",
      description: "The box-office program in Paris",
    });
    expect(t.changes).toContainEqual({});
  });

  it("renames a component, moves it out of its group, sets its status and clears its description", async () => {
    const { b, csrf } = await signedIn(t);
    const tix4 = await seededComponentId(t, "tix4");
    await t.call("PATCH", `/api/v1/components/${tix4}`, { description: "Old text" });
    const res = await b.request("POST", `/admin/components/${tix4}/edit`, {
      csrf,
      name: "tix4 (Lyon)",
      group_id: "",
      status: "partial_outage",
      description: "",
    });
    expect(res.headers.get("location")).toBe("/admin/components?flash=component-saved");
    expect(await getComponent(t, tix4)).toMatchObject({
      name: "tix4 (Lyon)",
      group_id: null,
      status: "partial_outage",
      description: null,
    });
  });

  it("moves a component up within its group, and a group down at the top level", async () => {
    const { b, csrf } = await signedIn(t);
    const tix2 = await seededComponentId(t, "tix2");
    const up = await b.request("POST", `/admin/components/${tix2}/move`, { csrf, direction: "up" });
    expect(up.headers.get("location")).toBe("/admin/components?flash=component-moved");
    const ticketing = (await groups()).find((g) => g.name === "Ticketing servers")!;
    expect(names((await components()).filter((c) => c.group_id === ticketing.id))).toEqual([
      "tix2",
      "tix1",
      "tix3",
      "tix4",
      "tix5",
    ]);

    await b.request("POST", `/admin/groups/${ticketing.id}/move`, { csrf, direction: "down" });
    const html = await (await b.request("GET", "/admin/components")).text();
    expect(html.indexOf('value="Webtix"')).toBeLessThan(html.indexOf('value="Ticketing servers"'));
  });

  it("leaves the order alone when the first is moved up", async () => {
    const { b, csrf } = await signedIn(t);
    const tix1 = await seededComponentId(t, "tix1");
    const before = await dbSnapshot(t.deps);
    const res = await b.request("POST", `/admin/components/${tix1}/move`, { csrf, direction: "up" });
    expect(res.status).toBe(303);
    expect(await dbSnapshot(t.deps)).toEqual(before);
  });

  it("deletes a component only through a confirmation page", async () => {
    const { b, csrf } = await signedIn(t);
    const doomed = await createComponent(t, { name: "Old <b>box</b>" });
    const list = await (await b.request("GET", "/admin/components")).text();
    expect(list).toContain(`href="/admin/components/${doomed.id}/delete"`);
    expect(list).not.toContain(`action="/admin/components/${doomed.id}/delete"`);

    const confirm = await b.request("GET", `/admin/components/${doomed.id}/delete`);
    expect(confirm.status).toBe(200);
    const page = await confirm.text();
    expect(page).toContain("Delete Old &lt;b&gt;box&lt;/b&gt;?");
    expect(page).toContain(`action="/admin/components/${doomed.id}/delete"`);
    expect(page).toContain(`name="csrf" value="${csrf}"`);
    expect(await getComponent(t, doomed.id)).toMatchObject({ name: "Old <b>box</b>" });

    const res = await b.request("POST", `/admin/components/${doomed.id}/delete`, { csrf });
    expect(res.headers.get("location")).toBe("/admin/components?flash=component-deleted");
    expect((await t.call("GET", `/api/v1/components/${doomed.id}`)).status).toBe(404);
    expect((await b.request("GET", `/admin/components/${doomed.id}/delete`)).status).toBe(404);
  });

  it("creates, renames and deletes a group; its components stay, ungrouped", async () => {
    const { b, csrf } = await signedIn(t);
    expect((await b.request("POST", "/admin/groups", { csrf, name: "Sales" })).headers.get("location")).toBe(
      "/admin/components?flash=group-created",
    );
    const sales = (await groups()).find((g) => g.name === "Sales")!;
    const member = await createComponent(t, { name: "Webshop", group_id: sales.id });
    await b.request("POST", `/admin/groups/${sales.id}/edit`, { csrf, name: "Online sales", description: "" });
    expect((await groups()).find((g) => g.id === sales.id)!.name).toBe("Online sales");
    const confirm = await (await b.request("GET", `/admin/groups/${sales.id}/delete`)).text();
    expect(confirm).toContain("Delete the group Online sales?");
    const res = await b.request("POST", `/admin/groups/${sales.id}/delete`, { csrf });
    expect(res.headers.get("location")).toBe("/admin/components?flash=group-deleted");
    expect((await groups()).some((g) => g.id === sales.id)).toBe(false);
    expect((await getComponent(t, member.id)).group_id).toBeNull();
  });

  it("shows refused forms again with the message and what was typed, and changes nothing", async () => {
    const { b, csrf } = await signedIn(t);
    const tix1 = await seededComponentId(t, "tix1");
    const before = await dbSnapshot(t.deps);
    const attempts: [string, Record<string, string>, number, string][] = [
      ["/admin/components", { csrf, name: "  ", description: "Kept text" }, 422, "name: must not be empty"],
      ["/admin/components", { csrf, name: "tix6", group_id: "no-such-group" }, 422, "Unknown group id: no-such-group"],
      ["/admin/components", { csrf, name: "tix6", status: "on_fire" }, 422, "status:"],
      [`/admin/components/${tix1}/edit`, { csrf, name: "", description: "Kept text" }, 422, "must not be empty"],
      [`/admin/components/${tix1}/move`, { csrf, direction: "sideways" }, 422, "direction: must be up or down"],
      ["/admin/components/nope/edit", { csrf, name: "x" }, 404, "Component nope does not exist"],
      ["/admin/components/nope/delete", { csrf }, 404, "Component nope does not exist"],
      ["/admin/groups", { csrf, name: "" }, 422, "name: must not be empty"],
      ["/admin/groups/nope/delete", { csrf }, 404, "Group nope does not exist"],
    ];
    for (const [path, form, status, message] of attempts) {
      const res = await b.request("POST", path, form);
      expect(res.status, path).toBe(status);
      expect(res.headers.get("content-type")).toMatch(/^text\/html/);
      const html = await res.text();
      expect(html).toContain(message);
      if (form.description) expect(html).toContain("Kept text");
    }
    expect(await dbSnapshot(t.deps)).toEqual(before);
  });

  it("refuses every component and group form without the csrf token, changing nothing", async () => {
    const { b } = await signedIn(t);
    const tix1 = await seededComponentId(t, "tix1");
    const group = await createGroup(t);
    const before = await dbSnapshot(t.deps);
    const posts: [string, Record<string, string>][] = [
      ["/admin/components", { name: "Forged" }],
      [`/admin/components/${tix1}/edit`, { name: "Forged" }],
      [`/admin/components/${tix1}/move`, { direction: "down" }],
      [`/admin/components/${tix1}/delete`, {}],
      ["/admin/groups", { name: "Forged" }],
      [`/admin/groups/${group.id}/edit`, { name: "Forged" }],
      [`/admin/groups/${group.id}/move`, { direction: "up" }],
      [`/admin/groups/${group.id}/delete`, { csrf: "0".repeat(64) }],
    ];
    for (const [path, form] of posts) expect((await b.request("POST", path, form)).status, path).toBe(403);
    expect(await dbSnapshot(t.deps)).toEqual(before);
  });
});
