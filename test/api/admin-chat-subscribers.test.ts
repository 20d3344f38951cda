import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { auditLog, chatChannelComponents, chatChannels, chatPosts, type ChatChannel } from "@/db/schema";
import { chatChannelTokenMaker } from "@/api/services/chat-links";
import { linkKey } from "@/api/services/subscriber-links";
import { maskWebhookUrl } from "@/present/mask-url";
import { makeApp } from "@/test/support/app";
import { signedIn } from "@/test/support/console-browser";
import type { TestApp } from "@/test/support/factories";

let t: TestApp;
beforeEach(async () => {
  t = await makeApp();
});
afterEach(async () => {
  await t.cleanup();
});

const decode = (s: string) => s.replace(/&(amp|#38);/g, "&");

async function addChannel(id: string, fields: Partial<ChatChannel> = {}) {
  const now = t.clock();
  const row = {
    id,
    platform: "slack" as const,
    url: `https://hooks.slack.com/services/T0SECRET/B0SECRET/${id}Zq9`,
    purpose: "subscriber" as const,
    status: "active" as const,
    allComponents: true,
    createdAt: now,
    updatedAt: now,
    ...fields,
  };
  await t.deps.db.insert(chatChannels).values(row);
  return row;
}

describe("chat channels in the console's subscribers page", () => {
  it("lists platform, a masked URL, status, components and the disabled reason, never the URL or a link", async () => {
    const components = (await (await t.call("GET", "/api/v1/components")).json()) as { id: string }[];
    const slack = await addChannel("chatslack001");
    const teams = await addChannel("chatteams001", {
      platform: "teams",
      url: "https://prod-01.westeurope.logic.azure.com/workflows/abc123/triggers/manual/paths/invoke?api-version=1&sig=S3cr3tSigWxyz",
      status: "disabled",
      disabledReason: "teams 404",
      allComponents: false,
    });
    await t.deps.db
      .insert(chatChannelComponents)
      .values(components.slice(0, 2).map((c) => ({ channelId: teams.id, componentId: c.id })));
    await addChannel("chatbroad001", { purpose: "broadcast", url: "https://discord.com/api/webhooks/9/staffOnly" });

    const { b } = await signedIn(t, "admin");
    const html = await (await b.request("GET", "/admin/subscribers")).text();
    expect(html.match(/<tr data-chat-channel-id=/g)).toHaveLength(2);
    expect(html).toContain("1–2 of 2");
    const row = (id: string) => html.match(new RegExp(`<tr data-chat-channel-id="${id}"[\\s\\S]*?</tr>`))![0];
    expect(row(slack.id)).toContain("Slack");
    expect(row(slack.id)).toContain("hooks.slack.com …1Zq9");
    expect(row(slack.id)).toContain("Active");
    expect(row(slack.id)).toContain("All");
    expect(row(teams.id)).toContain("Microsoft Teams");
    expect(row(teams.id)).toContain("prod-01.westeurope.logic.azure.com …Wxyz");
    expect(row(teams.id)).toContain("Disabled");
    expect(row(teams.id)).toContain("teams 404");
    expect(row(teams.id)).toMatch(/<td>2<\/td>/);
    // The URL is the channel's secret: neither it nor its secret parts, nor any channel link, is on the page.
    for (const secret of ["T0SECRET", "B0SECRET", "chatslack0011Zq9", "S3cr3tSig", "workflows/abc123", "staffOnly"]) {
      expect(html).not.toContain(secret);
    }
    const key = await linkKey(t.deps.db);
    expect(html).not.toContain(chatChannelTokenMaker(key)(slack.id));
    for (const link of ["/chat/manage", "/chat/unsubscribe", "/chat/confirm"]) expect(html).not.toContain(link);
  });

  it("masks any URL to its host and last four characters", () => {
    expect(maskWebhookUrl("https://discord.com/api/webhooks/123/abcdEFGH")).toBe("discord.com …EFGH");
    expect(maskWebhookUrl("not a url")).toBe("… url");
  });

  it("pages through channels fifty at a time, keeping the email list where it was", async () => {
    for (let i = 0; i < 60; i++) {
      await addChannel(`chatpage${String(i).padStart(4, "0")}`, { createdAt: t.clock() - i });
    }
    const { b } = await signedIn(t, "admin");
    const first = await (await b.request("GET", "/admin/subscribers?search=x")).text();
    expect(first.match(/<tr data-chat-channel-id=/g)).toHaveLength(50);
    const next = decode(first.match(/href="\/admin\/subscribers\?([^"]+)#chat-subscribers">Next channels/)![1]!);
    expect(next).toBe("search=x&offset=0&chat_offset=50");
    const second = await (await b.request("GET", `/admin/subscribers?${next}`)).text();
    expect(second.match(/<tr data-chat-channel-id=/g)).toHaveLength(10);
    expect(second).toContain("51–60 of 60");
    expect(second).not.toContain("Next channels");
    expect(second).toContain("Previous channels");
  });

  it("removes a customer channel with its queued posts, audited without its URL", async () => {
    const channel = await addChannel("chatgone0001");
    await addChannel("chatkept0001");
    const broadcast = await addChannel("chatbroad002", { purpose: "broadcast" });
    await t.deps.db.insert(chatPosts).values({
      id: "gonepost0001",
      channelId: channel.id,
      kind: "confirmation",
      status: "pending",
      nextAttemptAt: t.clock(),
      createdAt: t.clock(),
    });
    const { b, csrf } = await signedIn(t, "admin");
    const html = await (await b.request("GET", "/admin/subscribers?chat_offset=0")).text();
    expect(html).toContain(`action="/admin/subscribers/chat/${channel.id}/remove"`);
    const back = decode(html.match(/name="back" value="([^"]+)"/)![1]!);
    const res = await b.request("POST", `/admin/subscribers/chat/${channel.id}/remove`, { csrf, back });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/admin/subscribers?offset=0&flash=chat-channel-removed");
    const left = await t.deps.db.select({ id: chatChannels.id }).from(chatChannels);
    expect(left.map((r) => r.id).sort()).toEqual([broadcast.id, "chatkept0001"]);
    expect(await t.deps.db.select().from(chatPosts)).toEqual([]);
    const [audit] = await t.deps.db.select().from(auditLog).where(eq(auditLog.resourceId, channel.id));
    expect(audit).toMatchObject({ resourceType: "chat_channel", action: "delete" });
    expect(JSON.stringify(audit)).not.toContain("hooks.slack.com");

    expect((await b.request("POST", `/admin/subscribers/chat/${channel.id}/remove`, { csrf })).status).toBe(404);
    expect((await b.request("POST", "/admin/subscribers/chat/chatkept0001/remove", {})).status).toBe(403);
    // Staff broadcast channels are not customers': this page neither lists nor removes them.
    expect((await b.request("POST", `/admin/subscribers/chat/${broadcast.id}/remove`, { csrf })).status).toBe(404);
    expect(await t.deps.db.select().from(chatChannels).where(eq(chatChannels.id, broadcast.id))).toHaveLength(1);
  });

  it("is refused to a console session without the admin scope", async () => {
    const channel = await addChannel("chatscope001");
    const { b, csrf } = await signedIn(t, "write");
    expect((await b.request("GET", "/admin/subscribers")).status).toBe(403);
    expect((await b.request("POST", `/admin/subscribers/chat/${channel.id}/remove`, { csrf })).status).toBe(403);
    expect(await t.deps.db.select().from(chatChannels)).toHaveLength(1);
  });
});
