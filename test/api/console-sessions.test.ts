import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { adminSessions, apiKeys, appSecrets } from "@/db/schema";
import { hmacSha256Hex } from "@/api/ids";
import { linkKey } from "@/api/services/subscriber-links";
import { makeApp } from "@/test/support/app";
import { consoleBrowser } from "@/test/support/console-browser";
import { getComponent, seededComponentId, type TestApp } from "@/test/support/factories";

let t: TestApp;
beforeEach(async () => {
  t = await makeApp();
});
afterEach(async () => {
  await t.cleanup();
});

describe("console sessions end on the server", () => {
  it("a cookie kept from before signing out opens nothing and changes nothing", async () => {
    const tix1 = await seededComponentId(t, "tix1");
    const b = consoleBrowser(t);
    await b.signIn();
    const csrf = await b.csrf();
    const kept = b.cookie!;

    expect((await b.request("POST", "/admin/logout", { csrf })).status).toBe(303);
    expect(await t.deps.db.select().from(adminSessions)).toEqual([]);

    b.cookie = kept;
    const page = await b.request("GET", "/admin");
    expect(page.status).toBe(303);
    expect(page.headers.get("location")).toBe("/admin/login");
    b.cookie = kept;
    const post = await b.request("POST", `/admin/components/${tix1}`, { csrf, status: "major_outage" });
    expect(post.status).toBe(303);
    expect(post.headers.get("location")).toBe("/admin/login");
    expect((await getComponent(t, tix1)).status).toBe("operational");
  });

  it("keeps only a hash of the session id in the database", async () => {
    const b = consoleBrowser(t);
    await b.signIn();
    const id = b.cookie!.split("=")[1]!.split(".")[0]!;
    const rows = JSON.stringify(await t.deps.db.select().from(adminSessions));
    expect(rows).not.toContain(id);
  });

  it("refuses a cookie forged with the old derivation (the subscriber-link key)", async () => {
    const [writeKey] = await t.deps.db.select().from(apiKeys).where(eq(apiKeys.name, "write key"));
    const expires = t.clock() + 3600_000;
    const payload = `${writeKey!.id}.${expires}`;
    const mac = await hmacSha256Hex(await linkKey(t.deps.db), `admin-session:${payload}`);
    const res = await t.app.request("/admin", { headers: { cookie: `marquee_admin=${payload}.${mac}` } });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/admin/login");
  });

  it("signs sessions with a key of their own, not the subscriber-link key", async () => {
    await consoleBrowser(t).signIn();
    const secrets = await t.deps.db.select().from(appSecrets);
    const session = secrets.find((s) => s.name === "admin-session-key")!;
    expect(session.value).toMatch(/^[0-9a-f]{64}$/);
    expect(session.value).not.toBe(await linkKey(t.deps.db));
  });

  it("a forged cookie for a live session's id, signed with another key, is refused", async () => {
    const b = consoleBrowser(t);
    await b.signIn();
    const [id, expires] = b.cookie!.split("=")[1]!.split(".");
    const mac = await hmacSha256Hex(await linkKey(t.deps.db), `admin-session:${id}.${expires}`);
    const res = await t.app.request("/admin", { headers: { cookie: `marquee_admin=${id}.${expires}.${mac}` } });
    expect(res.headers.get("location")).toBe("/admin/login");
  });
});
