import { afterEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { chatChannelComponents, chatChannels, chatPosts, incidentUpdates, rateLimits, subscribers } from "@/db/schema";
import { chatChannelTokenMaker, chatConfirmTokenMaker } from "@/api/services/chat-links";
import { linkKey, subscriberTokenMaker } from "@/api/services/subscriber-links";
import { sha256HexSync } from "@/api/ids";
import type { AppDeps } from "@/api/app";
import { defaultSubscribeLimits } from "@/api/services/subscriptions";
import { makeApp } from "@/test/support/app";
import { readOutbox, waitForOutbox } from "@/test/support/outbox";

type Env = Awaited<ReturnType<typeof makeApp>>;
const envs: Env[] = [];
afterEach(async () => {
  for (const env of envs.splice(0)) await env.cleanup();
});

const hour = 3600e3;
let serial = 0;
/** A Slack incoming-webhook URL no other test uses. */
const slackUrl = () => `https://hooks.slack.com/services/T0TEST/B0TEST/secret${++serial}x`;

async function setup(options: { allowPrivateWebhooks?: boolean } = {}, overrides: Partial<AppDeps> = {}) {
  // The work after the answer is kept, so a test awaits it rather than a time.
  const work: Promise<unknown>[] = [];
  // These tests read what a request queued; the chat sender, tested in test/chat, posts nothing here.
  const env = await makeApp(
    { ...options, chat: { maxPosts: 0 } },
    { afterAnswer: (run) => void work.push(run()), ...overrides },
  );
  envs.push(env);
  const { db } = env.deps;
  const components = (await (await env.call("GET", "/api/v1/components")).json()) as { id: string; name: string }[];
  const id = (name: string) => components.find((c) => c.name === name)!.id;
  const settle = async () => {
    while (work.length > 0) await Promise.all(work.splice(0));
  };
  const subscribe = async (body: unknown, clientIp = "203.0.113.1") => {
    const res = await env.app.request(
      "/subscribe",
      { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) },
      { clientIp },
    );
    await settle();
    return res;
  };
  const subscribeForm = async (fields: [string, string][]) => {
    const res = await env.app.request(
      "/subscribe",
      {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(fields).toString(),
      },
      { clientIp: "203.0.113.2" },
    );
    await settle();
    return res;
  };
  const channelAt = async (url: string) => (await db.select().from(chatChannels).where(eq(chatChannels.url, url)))[0];
  const postsOf = async (channelId: string) =>
    db.select().from(chatPosts).where(eq(chatPosts.channelId, channelId)).orderBy(chatPosts.createdAt);
  const componentsOf = async (channelId: string) =>
    (await db.select().from(chatChannelComponents).where(eq(chatChannelComponents.channelId, channelId)))
      .map((r) => r.componentId)
      .sort();
  /** The confirm link a confirmation post carries, made as the sender makes it: from the post's id. */
  const confirmLink = async (postId: string) => `/chat/confirm/${chatConfirmTokenMaker(await linkKey(db))(postId)}`;
  const latestConfirmLink = async (url: string) => {
    const posts = await postsOf((await channelAt(url))!.id);
    return confirmLink(posts.filter((p) => p.kind === "confirmation").at(-1)!.id);
  };
  const channelToken = async (channelId: string) => chatChannelTokenMaker(await linkKey(db))(channelId);
  /** Posts the confirmation page's form as a browser on this site would. */
  const pressConfirm = (token: string, headers: Record<string, string> = { "sec-fetch-site": "same-origin" }) =>
    env.app.request("/chat/confirm", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams({ token }).toString(),
    });
  const subscribeAndConfirm = async (url: string, components?: string[]) => {
    expect((await subscribe({ channel: "slack", webhook_url: url, components })).status).toBe(202);
    const link = await latestConfirmLink(url);
    expect((await pressConfirm(link.split("/").at(-1)!)).status).toBe(200);
    const channel = (await channelAt(url))!;
    expect(channel.status).toBe("active");
    return channel;
  };
  return {
    ...env,
    db,
    id,
    settle,
    subscribe,
    subscribeForm,
    channelAt,
    postsOf,
    componentsOf,
    confirmLink,
    latestConfirmLink,
    channelToken,
    pressConfirm,
    subscribeAndConfirm,
  };
}

describe("subscribing a chat channel", () => {
  it("creates an unconfirmed channel and queues one confirmation post whose id makes the only working link", async () => {
    const s = await setup();
    const url = slackUrl();
    const res = await s.subscribe({ channel: "slack", webhook_url: url, components: [s.id("Webtix"), s.id("tix1")] });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ status: "pending", message: expect.stringContaining("confirmation message") });

    const channel = (await s.channelAt(url))!;
    expect(channel).toMatchObject({
      platform: "slack",
      purpose: "subscriber",
      status: "unconfirmed",
      allComponents: false,
      confirmExpiresAt: s.clock() + 48 * hour,
      confirmedAt: null,
    });
    expect(await s.componentsOf(channel.id)).toEqual([s.id("Webtix"), s.id("tix1")].sort());
    const posts = await s.postsOf(channel.id);
    expect(posts).toEqual([
      expect.objectContaining({
        kind: "confirmation",
        status: "pending",
        attempts: 0,
        nextAttemptAt: s.clock(),
        incidentId: null,
        updateId: null,
      }),
    ]);
    const token = chatConfirmTokenMaker(await linkKey(s.db))(posts[0]!.id);
    expect(channel.confirmTokenHash).toBe(sha256HexSync(token));
  });

  it("no components means every component", async () => {
    const s = await setup();
    const url = slackUrl();
    await s.subscribe({ channel: "slack", webhook_url: url });
    const channel = (await s.channelAt(url))!;
    expect(channel.allComponents).toBe(true);
    expect(await s.componentsOf(channel.id)).toEqual([]);
  });

  it("answers the same status and body for a new, an unconfirmed and an active channel", async () => {
    const s = await setup();
    const active = slackUrl();
    await s.subscribeAndConfirm(active, [s.id("tix2")]);
    const unconfirmed = slackUrl();
    await s.subscribe({ channel: "slack", webhook_url: unconfirmed });
    s.clock.advance(2 * hour); // past the per-channel limit, so each request below does its full work

    const answers = [];
    for (const url of [slackUrl(), unconfirmed, active]) {
      const res = await s.subscribe({ channel: "slack", webhook_url: url, components: [s.id("Wintix")] });
      answers.push({ status: res.status, headers: [...res.headers], body: await res.text() });
    }
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
    expect(answers[0]!.status).toBe(202);

    // The active channel got nothing new, and its components were not changed by the unauthenticated form.
    const channel = (await s.channelAt(active))!;
    expect(channel.status).toBe("active");
    expect(await s.componentsOf(channel.id)).toEqual([s.id("tix2")]);
    expect((await s.postsOf(channel.id)).filter((p) => p.kind === "confirmation")).toHaveLength(1);
  });

  it("the form answers the same page for a new, an unconfirmed and an active channel", async () => {
    const s = await setup();
    const active = slackUrl();
    await s.subscribeAndConfirm(active);
    const unconfirmed = slackUrl();
    await s.subscribeForm([
      ["channel", "slack"],
      ["webhook_url", unconfirmed],
    ]);
    s.clock.advance(2 * hour);
    const pages = [];
    for (const url of [slackUrl(), unconfirmed, active]) {
      const res = await s.subscribeForm([
        ["channel", "slack"],
        ["webhook_url", url],
        ["components", s.id("Wintix")],
      ]);
      expect(res.status).toBe(202);
      expect(res.headers.get("content-type")).toMatch(/text\/html/);
      pages.push(await res.text());
    }
    expect(pages[0]).toContain("Check the channel");
    expect(pages[1]).toBe(pages[0]);
    expect(pages[2]).toBe(pages[0]);
    expect((await s.channelAt(unconfirmed))!.allComponents).toBe(false);
  });

  it("refuses a URL that is not the platform's own incoming webhook, naming webhook_url, and changes nothing", async () => {
    const s = await setup();
    const refused: [string, string, RegExp][] = [
      ["slack", "https://discord.com/api/webhooks/1/abc", /not a Slack webhook host/],
      ["slack", "https://hooks.slack.com.evil.example/services/T1/B1/x", /not a Slack webhook host/],
      ["slack", "http://hooks.slack.com/services/T1/B1/x", /must use https/],
      ["slack", "https://hooks.slack.com/workflows/T1/A1/1/x", /incoming-webhook path/],
      ["discord", "https://discord.com/api/v10/channels/1/messages", /incoming-webhook path/],
      ["teams", "https://example.webhook.office.com/webhookb2/x", /not a Microsoft Teams webhook host/],
      ["google_chat", "https://chat.googleapis.com/v1/spaces/AAA/messages?key=k", /lacks its token/],
      ["slack", "http://127.0.0.1:8080/services/T1/B1/x", /must use https/],
      ["slack", "https://user:pw@hooks.slack.com/services/T1/B1/x", /credentials/],
      ["slack", "not a url", /not a valid URL/],
    ];
    for (const [channel, webhook_url, reason] of refused) {
      const res = await s.subscribe({ channel, webhook_url });
      expect(res.status, webhook_url).toBe(422);
      const { error } = await res.json();
      expect(error.code).toBe("validation_failed");
      expect(error.message, webhook_url).toMatch(/^webhook_url: /);
      expect(error.message, webhook_url).toMatch(reason);
      expect(error.details).toEqual([{ path: "webhook_url", message: expect.any(String) }]);
    }
    expect(await s.db.select().from(chatChannels)).toEqual([]);
    expect(await s.db.select().from(chatPosts)).toEqual([]);
    expect(await s.db.select().from(rateLimits)).toEqual([]);
  });

  it("refuses an unknown component, an unknown platform, and a body with both an email and a channel", async () => {
    const s = await setup();
    const unknown = await s.subscribe({ channel: "slack", webhook_url: slackUrl(), components: ["nosuchcomp"] });
    expect(unknown.status).toBe(422);
    expect((await unknown.json()).error.message).toContain("nosuchcomp");

    const irc = await s.subscribe({ channel: "irc", webhook_url: slackUrl() });
    expect(irc.status).toBe(422);
    expect((await irc.json()).error.message).toMatch(/^channel: /);

    const both = await s.subscribe({ email: "ann@example.com", channel: "slack", webhook_url: slackUrl() });
    expect(both.status).toBe(422);
    expect((await both.json()).error.message).toMatch(/either an email address or a chat channel/);

    const noUrl = await s.subscribe({ channel: "slack" });
    expect(noUrl.status).toBe(422);
    expect((await noUrl.json()).error.message).toMatch(/^webhook_url: /);

    expect(await s.db.select().from(chatChannels)).toEqual([]);
    expect(await s.db.select().from(subscribers)).toEqual([]);
    expect(await s.db.select().from(rateLimits)).toEqual([]);
    expect(await readOutbox(s.outbox)).toEqual([]);
  });

  it("the form's refusals are readable pages naming the field, storing nothing", async () => {
    const s = await setup();
    const res = await s.subscribeForm([
      ["channel", "discord"],
      ["webhook_url", "https://evil.example/api/webhooks/1/x"],
    ]);
    expect(res.status).toBe(422);
    expect(res.headers.get("content-type")).toMatch(/text\/html/);
    expect(await res.text()).toMatch(/webhook_url: not a Discord webhook host/);
    expect(await s.db.select().from(chatChannels)).toEqual([]);
  });

  it("a local receiver is accepted only with ALLOW_PRIVATE_WEBHOOKS", async () => {
    const strict = await setup();
    const local = "http://127.0.0.1:9/services/T1/B1/x";
    expect((await strict.subscribe({ channel: "slack", webhook_url: local })).status).toBe(422);
    const open = await setup({ allowPrivateWebhooks: true });
    expect((await open.subscribe({ channel: "slack", webhook_url: local })).status).toBe(202);
    expect((await open.channelAt(local))?.status).toBe("unconfirmed");
  });

  it("one URL typed two ways is one channel", async () => {
    const s = await setup();
    await s.subscribe({ channel: "discord", webhook_url: "https://DISCORD.com/api/webhooks/42/tok" });
    s.clock.advance(2 * hour);
    await s.subscribe({ channel: "discord", webhook_url: "https://discord.com/api/webhooks/42/tok" });
    const rows = await s.db.select().from(chatChannels);
    expect(rows.map((r) => r.url)).toEqual(["https://discord.com/api/webhooks/42/tok"]);
  });
});

describe("asking again", () => {
  it("posts at most one confirmation an hour to a channel; a later one replaces the earlier link", async () => {
    const s = await setup();
    const url = slackUrl();
    await s.subscribe({ channel: "slack", webhook_url: url });
    const first = await s.latestConfirmLink(url);
    for (let i = 0; i < 5; i++) {
      expect((await s.subscribe({ channel: "slack", webhook_url: url }, `198.51.100.${i}`)).status).toBe(202);
    }
    const channel = (await s.channelAt(url))!;
    expect(await s.postsOf(channel.id)).toHaveLength(1);

    s.clock.advance(hour + 1);
    await s.subscribe({ channel: "slack", webhook_url: url });
    const posts = await s.postsOf(channel.id);
    // The first post was still pending: it is dropped, since its link no longer works.
    expect(posts.map((p) => [p.kind, p.status])).toEqual([["confirmation", "pending"]]);
    const second = await s.confirmLink(posts[0]!.id);
    expect(second).not.toBe(first);
    expect((await s.pressConfirm(first.split("/").at(-1)!)).status).toBe(404);
    expect((await s.channelAt(url))!.status).toBe("unconfirmed");
    expect((await s.pressConfirm(second.split("/").at(-1)!)).status).toBe(200);
    expect((await s.channelAt(url))!.status).toBe("active");
  });

  it("a confirmation already sent is kept when a fresh one is queued", async () => {
    const s = await setup();
    const url = slackUrl();
    await s.subscribe({ channel: "slack", webhook_url: url });
    const channel = (await s.channelAt(url))!;
    await s.db.update(chatPosts).set({ status: "sent", sentAt: s.clock() }).where(eq(chatPosts.channelId, channel.id));
    s.clock.advance(hour + 1);
    await s.subscribe({ channel: "slack", webhook_url: url });
    expect((await s.postsOf(channel.id)).map((p) => p.status)).toEqual(["sent", "pending"]);
  });

  it("an unsubscribed or disabled channel is treated as new: unconfirmed again, with a confirmation", async () => {
    const s = await setup();
    for (const status of ["unsubscribed", "disabled"] as const) {
      const url = slackUrl();
      const before = await s.subscribeAndConfirm(url);
      await s.db
        .update(chatChannels)
        .set({ status, disabledAt: s.clock(), disabledReason: "slack 404 no_service", failingSince: s.clock() })
        .where(eq(chatChannels.id, before.id));
      s.clock.advance(hour + 1);
      await s.subscribe({ channel: "slack", webhook_url: url, components: [s.id("tix4")] });
      const after = (await s.channelAt(url))!;
      expect(after).toMatchObject({
        id: before.id,
        status: "unconfirmed",
        confirmedAt: null,
        disabledAt: null,
        disabledReason: null,
        failingSince: null,
        allComponents: false,
      });
      expect(await s.componentsOf(after.id)).toEqual([s.id("tix4")]);
      const link = await s.latestConfirmLink(url);
      expect(after.confirmTokenHash).toBe(sha256HexSync(link.split("/").at(-1)!));
    }
  });

  it("a staff broadcast channel on the same URL is left alone", async () => {
    const s = await setup();
    const url = slackUrl();
    const now = s.clock();
    await s.db.insert(chatChannels).values({
      id: "broadcast001",
      platform: "slack",
      url,
      purpose: "broadcast",
      status: "active",
      allComponents: true,
      createdAt: now,
      updatedAt: now,
    });
    expect((await s.subscribe({ channel: "slack", webhook_url: url, components: [s.id("tix1")] })).status).toBe(202);
    expect(await s.channelAt(url)).toMatchObject({ purpose: "broadcast", status: "active", allComponents: true });
    expect(await s.postsOf("broadcast001")).toEqual([]);
  });
  it("the whole page posts at most its hourly number of chat confirmations, counted apart from emails", async () => {
    const s = await setup({}, { subscribeLimits: { ...defaultSubscribeLimits, perPage: 2 } });
    for (let i = 0; i < 2; i++) {
      expect((await s.subscribe({ channel: "slack", webhook_url: slackUrl() }, `198.51.100.${i}`)).status).toBe(202);
    }
    const over = await s.subscribe({ channel: "slack", webhook_url: slackUrl() }, "198.51.100.9");
    expect(over.status).toBe(429);
    expect(over.headers.get("retry-after")).toMatch(/^\d+$/);
    expect((await over.json()).error.message).toMatch(/confirmation messages/);
    expect(await s.db.select().from(chatChannels)).toHaveLength(2);
    expect((await s.subscribe({ email: "ann@example.com" }, "198.51.100.10")).status).toBe(202);
  });
});

describe("confirming", () => {
  it("the link only shows a button: fetching it, as chat apps do to unfurl it, confirms nothing", async () => {
    const s = await setup();
    const url = slackUrl();
    await s.subscribe({ channel: "slack", webhook_url: url });
    const link = await s.latestConfirmLink(url);
    const token = link.split("/").at(-1)!;
    for (let i = 0; i < 3; i++) {
      const res = await s.app.request(link);
      expect(res.status).toBe(200);
      expect(res.headers.get("referrer-policy")).toBe("no-referrer");
      const html = await res.text();
      expect(html).toMatch(/<form method="post" action="\/chat\/confirm">/);
      expect(html).toContain(`<input type="hidden" name="token" value="${token}">`);
      expect(html).toContain("Slack channel");
      expect(html).not.toContain("hooks.slack.com");
      expect((await s.app.request(link, { method: "HEAD" })).status).toBe(200);
    }
    expect((await s.channelAt(url))!.status).toBe("unconfirmed");

    const res = await s.pressConfirm(token);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Channel confirmed");
    const channel = (await s.channelAt(url))!;
    expect(channel).toMatchObject({ status: "active", confirmedAt: s.clock(), confirmTokenHash: null });
    // Used once: the same link now gets the plain 404 page.
    expect((await s.pressConfirm(token)).status).toBe(404);
    expect((await s.app.request(link)).status).toBe(404);
  });

  it("the token in the link's own path confirms as well", async () => {
    const s = await setup();
    const url = slackUrl();
    await s.subscribe({ channel: "slack", webhook_url: url });
    const link = await s.latestConfirmLink(url);
    const res = await s.app.request(link, { method: "POST", headers: { "sec-fetch-site": "same-origin" } });
    expect(res.status).toBe(200);
    expect((await s.channelAt(url))!.status).toBe("active");
  });

  it("refuses a confirmation posted from another site, confirming nothing", async () => {
    const s = await setup();
    const url = slackUrl();
    await s.subscribe({ channel: "slack", webhook_url: url });
    const token = (await s.latestConfirmLink(url)).split("/").at(-1)!;
    for (const headers of <Record<string, string>[]>[
      { "sec-fetch-site": "cross-site" },
      { "sec-fetch-site": "same-site", origin: "https://evil.example.com" },
      { origin: "https://evil.example.com" },
    ]) {
      const res = await s.pressConfirm(token, headers);
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(await res.text()).toContain("did not come from this site");
    }
    expect((await s.channelAt(url))!.status).toBe("unconfirmed");
    expect((await s.pressConfirm(token, { origin: "null" })).status).toBe(200);
    expect((await s.channelAt(url))!.status).toBe("active");
  });

  it("an expired link gets the plain 404 page and confirms nothing", async () => {
    const s = await setup();
    const url = slackUrl();
    await s.subscribe({ channel: "slack", webhook_url: url });
    const link = await s.latestConfirmLink(url);
    s.clock.advance(48 * hour);
    expect((await s.app.request(link)).status).toBe(200); // the last moment it works
    s.clock.advance(1);
    expect((await s.app.request(link)).status).toBe(404);
    expect((await s.pressConfirm(link.split("/").at(-1)!)).status).toBe(404);
    expect((await s.channelAt(url))!.status).toBe("unconfirmed");
  });

  it("a forged, unknown or empty token gets the plain 404 page", async () => {
    const s = await setup();
    const url = slackUrl();
    await s.subscribe({ channel: "slack", webhook_url: url });
    const token = (await s.latestConfirmLink(url)).split("/").at(-1)!;
    const forged = token.replace(/.$/, (ch) => (ch === "0" ? "1" : "0"));
    for (const bad of [forged, "nonsense", ""]) expect((await s.pressConfirm(bad)).status).toBe(404);
    expect((await s.app.request(`/chat/confirm/${forged}`)).status).toBe(404);
    expect((await s.channelAt(url))!.status).toBe("unconfirmed");
  });
});

describe("managing and unsubscribing", () => {
  it("the manage page changes which components the channel hears about", async () => {
    const s = await setup();
    const channel = await s.subscribeAndConfirm(slackUrl());
    const manage = `/chat/manage/${await s.channelToken(channel.id)}`;
    const page = await (await s.app.request(manage)).text();
    expect(page).toContain('name="components"');
    expect(page).toContain(`action="${manage.replace("/manage/", "/unsubscribe/")}"`);
    const res = await s.app.request(manage, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams([
        ["components", s.id("tix5")],
        ["components", s.id("Wintix")],
      ]).toString(),
    });
    expect(res.status).toBe(200);
    expect(await s.componentsOf(channel.id)).toEqual([s.id("tix5"), s.id("Wintix")].sort());
    expect((await s.channelAt(channel.url))!.allComponents).toBe(false);
    // Nothing ticked: every component again.
    await s.app.request(manage, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect((await s.channelAt(channel.url))!.allComponents).toBe(true);
    expect(await s.componentsOf(channel.id)).toEqual([]);
  });

  it("the manage page is not open before the channel is confirmed", async () => {
    const s = await setup();
    const url = slackUrl();
    await s.subscribe({ channel: "slack", webhook_url: url });
    const manage = `/chat/manage/${await s.channelToken((await s.channelAt(url))!.id)}`;
    expect((await s.app.request(manage)).status).toBe(404);
    const res = await s.app.request(manage, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams([["components", s.id("tix5")]]).toString(),
    });
    expect(res.status).toBe(404);
    expect((await s.channelAt(url))!.allComponents).toBe(true);
  });

  it("unsubscribing stops the channel and drops what was queued for it and not yet sent", async () => {
    const s = await setup();
    const channel = await s.subscribeAndConfirm(slackUrl());
    const incident = await s.call("POST", "/api/v1/incidents", {
      name: "Webtix down",
      components: { [s.id("Webtix")]: "major_outage" },
    });
    const incidentId = ((await incident.json()) as { id: string }).id;
    const [update] = await s.db.select().from(incidentUpdates).where(eq(incidentUpdates.incidentId, incidentId));
    await s.db.delete(chatPosts).where(eq(chatPosts.channelId, channel.id)); // whatever an update queued, if anything
    await s.db.insert(chatPosts).values({
      id: "queuedpost01",
      channelId: channel.id,
      kind: "update",
      incidentId,
      updateId: update!.id,
      status: "pending",
      nextAttemptAt: s.clock(),
      createdAt: s.clock(),
    });
    const unsubscribe = `/chat/unsubscribe/${await s.channelToken(channel.id)}`;
    const page = await s.app.request(unsubscribe);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`action="${unsubscribe}"`);
    expect((await s.channelAt(channel.url))!.status).toBe("active"); // a GET changes nothing

    const res = await s.app.request(unsubscribe, { method: "POST" });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("No more status updates");
    expect((await s.channelAt(channel.url))!.status).toBe("unsubscribed");
    expect(await s.postsOf(channel.id)).toEqual([]);
    // The manage link of an unsubscribed channel no longer opens.
    expect((await s.app.request(`/chat/manage/${await s.channelToken(channel.id)}`)).status).toBe(404);
  });

  it("a staff broadcast channel's token opens no customer page", async () => {
    const s = await setup();
    const now = s.clock();
    await s.db.insert(chatChannels).values({
      id: "broadcast002",
      platform: "discord",
      url: "https://discord.com/api/webhooks/7/x",
      purpose: "broadcast",
      status: "active",
      allComponents: true,
      createdAt: now,
      updatedAt: now,
    });
    const token = await s.channelToken("broadcast002");
    expect((await s.app.request(`/chat/manage/${token}`)).status).toBe(404);
    expect((await s.app.request(`/chat/unsubscribe/${token}`, { method: "POST" })).status).toBe(404);
    expect((await s.channelAt("https://discord.com/api/webhooks/7/x"))!.status).toBe("active");
  });
});

describe("chat and email tokens", () => {
  it("a chat token never works on the email routes, and an email token never on the chat routes", async () => {
    const s = await setup();
    const channel = await s.subscribeAndConfirm(slackUrl());
    // An email subscriber with the very same id as the channel: only the signature's purpose tells them apart.
    const now = s.clock();
    await s.db.insert(subscribers).values({
      id: channel.id,
      email: "twin@example.com",
      status: "active",
      allComponents: true,
      confirmedAt: now,
      createdAt: now,
      updatedAt: now,
    });
    const key = await linkKey(s.db);
    const chatToken = chatChannelTokenMaker(key)(channel.id);
    const emailToken = subscriberTokenMaker(key)(channel.id);
    expect(chatToken).not.toBe(emailToken);
    for (const path of [`/manage/${chatToken}`, `/unsubscribe/${chatToken}`]) {
      expect((await s.app.request(path)).status, path).toBe(404);
      expect((await s.app.request(path, { method: "POST" })).status, path).toBe(404);
    }
    for (const path of [`/chat/manage/${emailToken}`, `/chat/unsubscribe/${emailToken}`]) {
      expect((await s.app.request(path)).status, path).toBe(404);
      expect((await s.app.request(path, { method: "POST" })).status, path).toBe(404);
    }
    const [twin] = await s.db.select().from(subscribers).where(eq(subscribers.id, channel.id));
    expect(twin!.status).toBe("active");
    expect((await s.channelAt(channel.url))!.status).toBe("active");
    // Each token works where it belongs.
    expect((await s.app.request(`/chat/manage/${chatToken}`)).status).toBe(200);
    expect((await s.app.request(`/manage/${emailToken}`)).status).toBe(200);
  });

  it("a chat confirmation token never confirms an email subscription, and an emailed one never a channel", async () => {
    const s = await setup();
    const url = slackUrl();
    await s.subscribe({ channel: "slack", webhook_url: url });
    const chatToken = (await s.latestConfirmLink(url)).split("/").at(-1)!;
    expect((await s.subscribe({ email: "ann@example.com" })).status).toBe(202);
    const [mail] = await waitForOutbox(s.outbox, 1);
    const emailToken = mail!.text!.match(/\/subscribe\/confirm\/(\S+)/)![1]!;

    const post = (path: string, token: string) =>
      s.app.request(path, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", "sec-fetch-site": "same-origin" },
        body: new URLSearchParams({ token }).toString(),
      });
    expect((await s.app.request(`/subscribe/confirm/${chatToken}`)).status).toBe(404);
    expect((await post("/subscribe/confirm", chatToken)).status).toBe(404);
    expect((await s.app.request(`/chat/confirm/${emailToken}`)).status).toBe(404);
    expect((await post("/chat/confirm", emailToken)).status).toBe(404);
    expect((await s.channelAt(url))!.status).toBe("unconfirmed");
    const [ann] = await s.db.select().from(subscribers).where(eq(subscribers.email, "ann@example.com"));
    expect(ann!.status).toBe("unconfirmed");
  });
});
