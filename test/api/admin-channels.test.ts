import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { chatChannels } from "@/db/schema";
import { makeApp, publicDns } from "@/test/support/app";
import { signedIn } from "@/test/support/console-browser";
import type { TestApp } from "@/test/support/factories";

let t: TestApp;
beforeEach(async () => {
  t = await makeApp({ resolve: publicDns });
});
afterEach(async () => {
  await t.cleanup();
});

const url = "https://hooks.slack.com/services/T0001/B0001/SecretPathAbCd";

describe("chat channels in the console", () => {
  it("adds a broadcast channel, shows a disabled one with its reason, enables it again and removes it", async () => {
    const { b, csrf } = await signedIn(t, "admin");
    expect(await (await b.request("GET", "/admin")).text()).toMatch(/<nav[^>]*>[\s\S]*href="\/admin\/channels"/);
    const res = await b.request("POST", "/admin/channels", {
      csrf,
      type: "slack",
      url,
      purpose: "broadcast",
      name: "Ops",
    });
    expect(res.headers.get("location")).toBe("/admin/channels?flash=channel-added");
    const [row] = await t.deps.db.select().from(chatChannels);
    await t.deps.db
      .update(chatChannels)
      .set({ status: "disabled", disabledAt: t.clock(), disabledReason: "slack 404 <no_service>" })
      .where(eq(chatChannels.id, row!.id));
    const html = await (await b.request("GET", "/admin/channels")).text();
    expect(html).toContain("Disabled: slack 404 &lt;no_service&gt;");
    expect(html).toContain("https://hooks.slack.com/…AbCd");
    expect(html).not.toContain("SecretPath");
    const enabled = await b.request("POST", `/admin/channels/${row!.id}/enable`, { csrf });
    expect(enabled.headers.get("location")).toBe("/admin/channels?flash=channel-enabled");
    expect((await t.deps.db.select().from(chatChannels))[0]).toMatchObject({ status: "active", disabledReason: null });
    const removed = await b.request("POST", `/admin/channels/${row!.id}/remove`, { csrf });
    expect(removed.headers.get("location")).toBe("/admin/channels?flash=channel-removed");
    expect(await t.deps.db.select().from(chatChannels)).toEqual([]);
  });

  it("a refused channel shows the form again with the message and what was typed, and stores nothing", async () => {
    const { b, csrf } = await signedIn(t, "admin");
    const res = await b.request("POST", "/admin/channels", {
      csrf,
      type: "slack",
      url: "http://127.0.0.1/hook",
      purpose: "broadcast",
      name: "Loop",
    });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toMatch(/role="alert">url: /);
    expect(html).toContain('value="Loop"');
    expect(await t.deps.db.select().from(chatChannels)).toEqual([]);
  });

  it("needs an admin sign-in", async () => {
    const { b } = await signedIn(t, "write");
    expect((await b.request("GET", "/admin/channels")).status).toBe(403);
  });
});
