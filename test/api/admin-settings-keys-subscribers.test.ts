import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { apiKeys, auditLog, subscribers } from "@/db/schema";
import { linkKey, subscriberToken } from "@/api/services/subscriber-links";
import { makeApp } from "@/test/support/app";
import { signedIn } from "@/test/support/console-browser";
import { type ApiKeyAnswer, dbSnapshot, expectStatus, type TestApp } from "@/test/support/factories";

let t: TestApp;
let logged: string[];
beforeEach(async () => {
  logged = [];
  t = await makeApp({ log: (m) => logged.push(m) }, { log: (m) => logged.push(m) });
});
afterEach(async () => {
  await t.cleanup();
});

type Settings = { name: string; url: string; time_zone: string };
const settings = async () => expectStatus<Settings>(await t.call("GET", "/api/v1/page"), 200);

describe("pages that need an admin key in the console", () => {
  it("are refused to a session signed in with a write key, and changes nothing", async () => {
    await t.call("POST", "/api/v1/subscribers/import", { subscribers: [{ email: "a@example.com" }] });
    const { b, csrf } = await signedIn(t, "write");
    const nav = await (await b.request("GET", "/admin")).text();
    for (const link of ["/admin/settings", "/admin/api-keys", "/admin/subscribers"]) {
      expect(nav).not.toContain(`href="${link}"`);
      const res = await b.request("GET", link);
      expect(res.status, link).toBe(403);
      expect(await res.text()).toContain("needs a console sign-in with an API key of admin scope");
    }
    const before = await dbSnapshot(t.deps);
    const posts: [string, Record<string, string>][] = [
      ["/admin/settings", { csrf, name: "Taken over" }],
      ["/admin/api-keys", { csrf, name: "escalated", scopes: "admin" }],
      [`/admin/api-keys/${(await t.deps.db.select().from(apiKeys))[0]!.id}/revoke`, { csrf }],
      [`/admin/subscribers/${(await t.deps.db.select().from(subscribers))[0]!.id}/remove`, { csrf }],
    ];
    for (const [path, form] of posts) expect((await b.request("POST", path, form)).status, path).toBe(403);
    expect(await dbSnapshot(t.deps)).toEqual(before);
  });
});

describe("page settings from the console", () => {
  it("saves the name, address and time zone, and republishes every page", async () => {
    const { b, csrf } = await signedIn(t, "admin");
    const page = await (await b.request("GET", "/admin/settings")).text();
    expect(page).toContain('<option value="Europe/Paris">');
    const res = await b.request("POST", "/admin/settings", {
      csrf,
      name: "Tix status",
      url: "https://status.tix.example/",
      time_zone: "Europe/Paris",
    });
    expect(res.headers.get("location")).toBe("/admin/settings?flash=settings");
    expect(await settings()).toMatchObject({
      name: "Tix status",
      url: "https://status.tix.example",
      time_zone: "Europe/Paris",
    });
    expect(t.changes).toContainEqual({ everything: true });
  });

  it("refuses an unknown time zone or a bad address with the form again, and changes nothing", async () => {
    const { b, csrf } = await signedIn(t, "admin");
    const before = await settings();
    const zone = await b.request("POST", "/admin/settings", { csrf, name: "Kept name", time_zone: "Mars/Olympus" });
    expect(zone.status).toBe(422);
    const html = await zone.text();
    expect(html).toContain("time_zone: must be an IANA time zone such as Europe/Paris");
    expect(html).toContain('value="Kept name"');
    expect(html).toContain('value="Mars/Olympus"');
    const url = await b.request("POST", "/admin/settings", { csrf, url: "javascript:alert(1)" });
    expect(url.status).toBe(422);
    expect(await settings()).toEqual(before);
  });
});

describe("API keys from the console", () => {
  it("lists keys with their scopes and use, never their secrets", async () => {
    await t.call("GET", "/api/v1/components", undefined, { scope: "read" });
    const { b } = await signedIn(t, "admin");
    const html = await (await b.request("GET", "/admin/api-keys")).text();
    const rows = [...html.matchAll(/<tr data-key-id="[^"]+">([\s\S]*?)<\/tr>/g)].map((m) => m[1]!);
    const read = rows.find((r) => r.includes("read key"))!;
    expect(read).toContain("<td>read</td>");
    expect(read).toMatch(/<time datetime=/);
    expect(rows.find((r) => r.includes("admin key"))).toContain("(this session)");
    for (const key of Object.values(t.keys)) expect(html).not.toContain(key.split("_").at(-1)!);
  });

  it("shows a new key once on the answer page, never in a redirect, a later page or the log", async () => {
    const { b, csrf } = await signedIn(t, "admin");
    const res = await b.request(
      "POST",
      "/admin/api-keys",
      new URLSearchParams([
        ["csrf", csrf],
        ["name", "deploy bot"],
        ["scopes", "read"],
        ["scopes", "write"],
      ]),
    );
    expect(res.status).toBe(201);
    expect(res.headers.get("location")).toBeNull();
    expect(res.headers.get("cache-control")).toBe("no-store");
    const key = (await res.text()).match(/id="created-key"[^>]*value="(mq_[^"]+)"/)![1]!;
    const created = (await expectStatus<ApiKeyAnswer[]>(await t.call("GET", "/api/v1/api-keys"), 200)).find(
      (k) => k.name === "deploy bot",
    )!;
    expect(created.scopes).toEqual(["read", "write"]);
    expect(
      (
        await t.call("GET", "/api/v1/components", undefined, {
          scope: null,
          headers: { authorization: `Bearer ${key}` },
        })
      ).status,
    ).toBe(200);

    const secret = key.split("_").at(-1)!;
    expect(await (await b.request("GET", "/admin/api-keys")).text()).not.toContain(secret);
    expect(JSON.stringify(await t.deps.db.select().from(auditLog))).not.toContain(secret);
    expect(logged.join("\n")).not.toContain(secret);
  });

  it("refuses a key without a name or scope, showing the form again", async () => {
    const { b, csrf } = await signedIn(t, "admin");
    const before = await dbSnapshot(t.deps);
    const res = await b.request("POST", "/admin/api-keys", { csrf, name: "no scopes" });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain("scopes:");
    expect(html).toContain('value="no scopes"');
    expect(html).not.toContain('id="created-key"');
    expect(await dbSnapshot(t.deps)).toEqual(before);
  });

  it("revokes a key, which then opens nothing", async () => {
    const { b, csrf } = await signedIn(t, "admin");
    const readId = /^mq_([a-z0-9]{12})_/.exec(t.keys.read)![1]!;
    const res = await b.request("POST", `/admin/api-keys/${readId}/revoke`, { csrf });
    expect(res.headers.get("location")).toBe("/admin/api-keys?flash=key-revoked");
    expect((await t.call("GET", "/api/v1/components", undefined, { scope: "read" })).status).toBe(401);
    expect((await b.request("POST", "/admin/api-keys/nope/revoke", { csrf })).status).toBe(404);
  });
});

describe("subscribers from the console", () => {
  async function importMany(n: number) {
    const rows = Array.from({ length: n }, (_, i) => ({ email: `reader${String(i).padStart(3, "0")}@example.com` }));
    await expectStatus(
      await t.call("POST", "/api/v1/subscribers/import", { subscribers: rows, skip_confirmation: true }),
      200,
    );
  }

  it("pages through subscribers fifty at a time, with their status, and never shows their links", async () => {
    await importMany(120);
    await expectStatus(
      await t.call("POST", "/api/v1/subscribers/import", { subscribers: [{ email: "new@example.org" }] }),
      200,
    );
    const { b } = await signedIn(t, "admin");
    const first = await (await b.request("GET", "/admin/subscribers")).text();
    expect(first.match(/<tr data-subscriber-id=/g)).toHaveLength(50);
    expect(first).toContain("1–50 of 121");
    const next = first.match(/href="\/admin\/subscribers\?([^"]+)">Next page/)![1]!.replace(/&(amp|#38);/g, "&");
    const third = await (await b.request("GET", `/admin/subscribers?offset=100`)).text();
    expect(third.match(/<tr data-subscriber-id=/g)).toHaveLength(21);
    expect(third).not.toContain("Next page");
    expect(next).toBe("offset=50");

    const unconfirmed = await (await b.request("GET", "/admin/subscribers?status=unconfirmed")).text();
    expect(unconfirmed).toContain("new@example.org");
    expect(unconfirmed).toContain("Awaiting confirmation");
    expect(unconfirmed.match(/<tr data-subscriber-id=/g)).toHaveLength(1);

    const key = await linkKey(t.deps.db);
    for (const html of [first, third, unconfirmed]) {
      expect(html).not.toContain("/unsubscribe/");
      expect(html).not.toContain("/manage");
      for (const id of [...html.matchAll(/data-subscriber-id="([^"]+)"/g)].map((m) => m[1]!).slice(0, 5)) {
        expect(html).not.toContain(await subscriberToken(key, id));
      }
    }
  });

  it("searches by email, keeping the search in the paging links", async () => {
    await importMany(120);
    const { b } = await signedIn(t, "admin");
    const html = await (await b.request("GET", "/admin/subscribers?search=READER01")).text();
    expect(html.match(/<tr data-subscriber-id=/g)).toHaveLength(10);
    expect(html).toContain("reader019@example.com");
    const many = await (await b.request("GET", "/admin/subscribers?search=reader")).text();
    expect(many).toMatch(/href="\/admin\/subscribers\?search=reader&(amp|#38);offset=50"/);
    const none = await (await b.request("GET", "/admin/subscribers?search=nobody")).text();
    expect(none).toContain("No subscribers match.");
  });

  it("removes one subscriber", async () => {
    await importMany(2);
    const { b, csrf } = await signedIn(t, "admin");
    const [first] = await t.deps.db.select().from(subscribers).orderBy(subscribers.email);
    const html = await (await b.request("GET", "/admin/subscribers?search=reader000")).text();
    const back = html.match(/name="back" value="([^"]+)"/)![1]!.replace(/&(amp|#38);/g, "&");
    expect(back).toBe("search=reader000&offset=0");
    const res = await b.request("POST", `/admin/subscribers/${first!.id}/remove`, { csrf, back });
    expect(res.headers.get("location")).toBe("/admin/subscribers?search=reader000&offset=0&flash=subscriber-removed");
    expect((await t.deps.db.select().from(subscribers)).map((s) => s.email)).toEqual(["reader001@example.com"]);
    expect((await b.request("POST", `/admin/subscribers/${first!.id}/remove`, { csrf })).status).toBe(404);
    expect((await b.request("POST", `/admin/subscribers/${first!.id}/remove`, {})).status).toBe(403);
    // Only the list's own fields come back: nothing posted can point the redirect elsewhere.
    const [second] = await t.deps.db.select().from(subscribers);
    const odd = await b.request("POST", `/admin/subscribers/${second!.id}/remove`, {
      csrf,
      back: "x=1&search=a b&next=//evil.example",
    });
    expect(odd.headers.get("location")).toBe("/admin/subscribers?search=a+b&flash=subscriber-removed");
  });
});
