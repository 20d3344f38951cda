import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { runAtomically } from "@/db/client";
import { type ChatChannel, chatChannelComponents, chatChannels, chatPosts, components, staffAlerts } from "@/db/schema";
import type { ChatPlatform } from "@/api/chat/platforms";
import { newId, sha256HexSync } from "@/api/ids";
import { createChatSender, type ChatSenderOptions } from "@/api/notify/chat-sender";
import { createNodeOutbound } from "@/api/outbound/node-outbound";
import { chatConfirmTokenMaker, verifyChatChannelToken } from "@/api/services/chat-links";
import { openIncident, postIncidentUpdate } from "@/api/services/incidents";
import { linkKey } from "@/api/services/subscriber-links";
import { makeDeps } from "@/test/support/deps";
import { waitUntil } from "@/test/support/wait";
import { startFakePlatforms } from "./fake-platforms";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(options: Partial<ChatSenderOptions> & { allowPrivate?: boolean } = {}) {
  const env = await makeDeps();
  const deps = { ...env.deps, outbound: createNodeOutbound({ allowPrivate: options.allowPrivate ?? true }) };
  const fake = await startFakePlatforms();
  const sender = createChatSender({ ...deps, ...options });
  cleanups.push(env.cleanup, fake.close, () => sender.stop());
  const drain = async () => {
    sender.wake();
    await sender.idle();
  };
  const componentId = async (name: string) =>
    (await deps.db.select().from(components).where(eq(components.name, name)))[0]!.id;

  async function channel(platform: ChatPlatform, values: Partial<ChatChannel> & { follows?: string[] } = {}) {
    const id = newId();
    const { follows, ...rest } = values;
    await runAtomically(deps.db, [
      deps.db.insert(chatChannels).values({
        id,
        platform,
        url: fake.url(platform, id),
        purpose: "subscriber",
        status: "active",
        allComponents: !follows,
        createdAt: env.clock(),
        updatedAt: env.clock(),
        ...rest,
      }),
      ...(follows ?? []).map((componentId) =>
        deps.db.insert(chatChannelComponents).values({ channelId: id, componentId }),
      ),
    ]);
    return id;
  }
  const incident = async (name = "Webtix down on tix1", body = "We are looking into it.") =>
    (
      await openIncident(deps, {
        name,
        status: "investigating",
        body,
        components: { [await componentId("tix1")]: "major_outage" },
        notify: true,
      })
    ).value;
  const posts = () => deps.db.select().from(chatPosts);
  const channelRow = async (id: string) =>
    (await deps.db.select().from(chatChannels).where(eq(chatChannels.id, id)))[0]!;
  return { ...env, deps, fake, sender, drain, channel, incident, posts, channelRow, componentId };
}

describe("queuing chat posts", () => {
  it("an update queues one post per active channel that follows it, in the same write, and none for the others", async () => {
    const s = await setup();
    const all = await s.channel("slack");
    const tix1 = await s.channel("discord", { follows: [await s.componentId("tix1")] });
    await s.channel("teams", { follows: [await s.componentId("tix2")] });
    await s.channel("slack", { status: "unconfirmed" });
    await s.channel("slack", { status: "disabled" });
    await s.channel("slack", { status: "unsubscribed" });
    const broadcast = await s.channel("google_chat", { purpose: "broadcast" });
    const opened = await s.incident();
    const rows = await s.posts();
    expect(rows.map((p) => p.channelId).sort()).toEqual([all, tix1, broadcast].sort());
    expect(rows.every((p) => p.kind === "update" && p.status === "pending" && p.incidentId === opened.id)).toBe(true);
    await postIncidentUpdate(s.deps, opened.id, { status: "identified", notify: false });
    expect(await s.posts()).toHaveLength(3);
  });

  it("a thousand channels are queued by one statement", async () => {
    const s = await setup();
    const now = s.clock();
    const rows = Array.from({ length: 1000 }, (_, i) => ({
      id: `ch${String(i).padStart(10, "0")}`,
      platform: "slack" as const,
      url: `https://hooks.slack.com/services/T/B/${i}`,
      purpose: "subscriber" as const,
      status: "active" as const,
      allComponents: true,
      createdAt: now,
      updatedAt: now,
    }));
    for (let i = 0; i < rows.length; i += 100) await s.deps.db.insert(chatChannels).values(rows.slice(i, i + 100));
    const { chatPostStatements } = await import("@/api/services/chat-outbox");
    expect(chatPostStatements(s.deps.db, "x", "y", now)).toHaveLength(1);
    await s.incident();
    expect(await s.posts()).toHaveLength(1000);
  });
});

describe("the chat sender", () => {
  it("each platform gets its native message within its limits, with the channel's own manage link", async () => {
    const s = await setup();
    const ids = {} as Record<ChatPlatform, string>;
    for (const p of ["slack", "discord", "teams", "google_chat"] as const) ids[p] = await s.channel(p);
    const long = `Webtix <b>is</b> down & @everyone should wait. ${"All sales are paused on tix1. ".repeat(600)}`;
    const opened = await s.incident("Webtix down on tix1 ".repeat(20), long);
    await s.drain();
    expect(s.fake.posts).toHaveLength(4);
    const key = await linkKey(s.deps.db);
    for (const post of s.fake.posts) {
      expect(post.problems, post.platform).toEqual([]);
      const text = JSON.stringify(post.json);
      expect(text).toContain(`https://status.example.com/incidents/${opened.id}`);
      const token = /\/chat\/manage\/([a-z0-9]{12}\.[0-9a-f]{32})/.exec(text)![1]!;
      expect(verifyChatChannelToken(key, token)).toBe(ids[post.platform]);
      // Google Chat's broadcast mention is `<users/all>`, escaped as any `<`; the others defuse `@everyone`.
      if (post.platform !== "google_chat") expect(text).not.toContain("@everyone");
    }
    const google = s.fake.posts.find((p) => p.platform === "google_chat")!;
    expect(google.json.thread).toEqual({ threadKey: `marquee-incident-${opened.id}` });
    expect((await s.posts()).map((p) => p.status)).toEqual(["sent", "sent", "sent", "sent"]);
    expect((await s.posts()).every((p) => p.sentAt === s.clock() && p.leaseUntil === null)).toBe(true);
  });

  it("a broadcast channel's message links staff to the console, not to a customer's manage page", async () => {
    const s = await setup();
    await s.channel("slack", { purpose: "broadcast" });
    await s.incident();
    await s.drain();
    const text = JSON.stringify(s.fake.posts[0]!.json);
    expect(text).toContain("https://status.example.com/admin/channels");
    expect(text).not.toContain("/chat/manage/");
  });

  it("a 429 with Retry-After parks the channel until then, by the injected clock", async () => {
    const s = await setup();
    const id = await s.channel("slack");
    s.fake.reply(id, { status: 429, body: "rate_limited", headers: { "retry-after": "30" } });
    await s.incident();
    await s.drain();
    expect(await s.channelRow(id)).toMatchObject({ notBefore: s.clock() + 30_000 });
    expect((await s.posts())[0]).toMatchObject({ status: "pending", lastError: "slack 429 rate_limited" });
    s.clock.advance(29_999);
    await s.drain();
    expect(s.fake.posts).toHaveLength(1);
    s.clock.advance(1);
    await s.drain();
    expect(s.fake.posts).toHaveLength(2);
    expect((await s.posts())[0]!.status).toBe("sent");
  });

  it("Discord's JSON retry_after is honoured", async () => {
    const s = await setup();
    const id = await s.channel("discord");
    s.fake.reply(id, { status: 429, body: '{"message":"slow down","retry_after":2.5,"global":false}' });
    await s.incident();
    await s.drain();
    expect((await s.channelRow(id)).notBefore).toBe(s.clock() + 2500);
    s.clock.advance(2500);
    await s.drain();
    expect((await s.posts())[0]!.status).toBe("sent");
  });

  it("posts of one channel go in order, at most one a second", async () => {
    const s = await setup();
    await s.channel("slack");
    const opened = await s.incident();
    await postIncidentUpdate(s.deps, opened.id, { status: "identified", body: "Second update", notify: true });
    await s.drain();
    expect(s.fake.posts).toHaveLength(1);
    s.clock.advance(999);
    await s.drain();
    expect(s.fake.posts).toHaveLength(1);
    s.clock.advance(1);
    await s.drain();
    expect(s.fake.posts.map((p) => JSON.stringify(p.json).includes("Second update"))).toEqual([false, true]);
  });

  it("permanent answers disable the channel with the reason and fail its queued posts", async () => {
    const s = await setup();
    const slack = await s.channel("slack");
    const discord = await s.channel("discord", { purpose: "broadcast", name: "ops" });
    s.fake.reply(slack, { status: 404, body: "no_service" });
    s.fake.reply(discord, { status: 404, body: '{"message":"Unknown Webhook","code":10015}' });
    const opened = await s.incident();
    await postIncidentUpdate(s.deps, opened.id, { status: "identified", body: "Second", notify: true });
    await s.drain();
    expect(await s.channelRow(slack)).toMatchObject({
      status: "disabled",
      disabledAt: s.clock(),
      disabledReason: "slack 404 no_service",
    });
    expect((await s.channelRow(discord)).disabledReason).toBe("discord 404 10015");
    const rows = await s.posts();
    expect(rows.map((p) => p.status)).toEqual(["failed", "failed", "failed", "failed"]);
    expect(s.fake.posts).toHaveLength(2);
    // The broadcast channel is the staff's own: they hear of it.
    const alerts = await s.deps.db.select().from(staffAlerts);
    expect(alerts.map((a) => a.subject)).toEqual(['Discord broadcast channel "ops" disabled']);
  });

  it("transient errors retry with backoff; a channel failing for 3 days is disabled and staff are told", async () => {
    const s = await setup({ pacing: { backoffMs: 1000 } });
    const id = await s.channel("teams");
    s.fake.reply(id, ...Array.from({ length: 100 }, () => ({ status: 503 })));
    await s.incident();
    await s.drain();
    const first = s.clock();
    expect(await s.channelRow(id)).toMatchObject({ status: "active", failingSince: first });
    expect((await s.posts())[0]).toMatchObject({ status: "pending", nextAttemptAt: first + 1000 });
    s.clock.advance(1000);
    await s.drain();
    expect((await s.posts())[0]).toMatchObject({ attempts: 2, nextAttemptAt: s.clock() + 2000 });
    s.clock.set(first + 3 * 24 * 3600_000);
    await s.drain();
    expect(await s.channelRow(id)).toMatchObject({
      status: "disabled",
      disabledReason: "failing for 3 days, last: teams 503",
    });
    expect((await s.posts())[0]!.status).toBe("failed");
    const [alert] = await s.deps.db.select().from(staffAlerts);
    expect(alert).toMatchObject({ kind: "chat_channel_disabled" });
  });

  it("a success ends a run of failures", async () => {
    const s = await setup({ pacing: { backoffMs: 1000 } });
    const id = await s.channel("slack");
    s.fake.reply(id, { status: 500 });
    await s.incident();
    await s.drain();
    s.clock.advance(1000);
    await s.drain();
    expect(await s.channelRow(id)).toMatchObject({ status: "active", failingSince: null });
  });

  it("a post left posting by a crash goes again once its lease ends, not before", async () => {
    const s = await setup({ leaseMs: 60_000 });
    await s.channel("slack");
    await s.incident();
    const [post] = await s.posts();
    await s.deps.db
      .update(chatPosts)
      .set({ status: "posting", leaseUntil: s.clock() + 60_000, attempts: 1 })
      .where(eq(chatPosts.id, post!.id));
    await s.drain();
    expect(s.fake.posts).toHaveLength(0);
    s.clock.advance(60_000);
    await s.drain();
    expect(s.fake.posts).toHaveLength(1);
    expect((await s.posts())[0]).toMatchObject({ status: "sent", attempts: 2 });
  });

  it("on Node, posts left posting by the previous process go at the first run", async () => {
    const s = await setup({ resumeAtStart: true });
    await s.channel("slack");
    await s.incident();
    await s.deps.db.update(chatPosts).set({ status: "posting", leaseUntil: s.clock() + 60_000 });
    await s.drain();
    expect(s.fake.posts).toHaveLength(1);
  });

  it("at most 16 requests are in flight, and a slow webhook does not hold up the others", async () => {
    const s = await setup();
    const slow = await s.channel("slack");
    for (let i = 0; i < 40; i++) await s.channel((["slack", "discord", "teams", "google_chat"] as const)[i % 4]);
    s.fake.state.hold.add(slow);
    await s.incident();
    s.sender.wake();
    await waitUntil(async () => (await s.posts()).filter((p) => p.status === "sent").length === 40, "40 sent");
    expect((await s.posts()).find((p) => p.channelId === slow)!.status).toBe("posting");
    expect(s.fake.state.maxInFlight).toBeLessThanOrEqual(16);
    expect(s.fake.state.maxInFlight).toBeGreaterThan(1);
    s.fake.release();
    await s.sender.idle();
    expect((await s.posts()).every((p) => p.status === "sent")).toBe(true);
  });

  it("the outbound guard refuses a loopback webhook at send time, and nothing is posted", async () => {
    const s = await setup({ allowPrivate: false });
    await s.channel("slack");
    await s.incident();
    await s.drain();
    expect(s.fake.posts).toHaveLength(0);
    expect((await s.posts())[0]).toMatchObject({
      status: "pending",
      lastError: expect.stringMatching(/^slack .*(private|loopback|not allowed|refused)/i),
    });
  });

  it("a redirect is not followed", async () => {
    const s = await setup();
    const id = await s.channel("slack");
    const target = await s.channel("slack", { status: "unsubscribed" });
    s.fake.reply(id, { status: 307, headers: { location: s.fake.url("slack", target) } });
    await s.incident();
    await s.drain();
    expect(s.fake.posts.map((p) => p.hook)).toEqual([id]);
    expect((await s.posts())[0]).toMatchObject({
      status: "pending",
      lastError: "slack 307 (redirects are not followed)",
    });
  });
});

describe("the chat sender on Workers", () => {
  it("posts at most maxPosts per run (the invocation's subrequests); the next run goes on", async () => {
    const s = await setup({ maxPosts: 3 });
    for (let i = 0; i < 7; i++) await s.channel("slack");
    await s.incident();
    await s.drain();
    expect(s.fake.posts).toHaveLength(3);
    await s.drain();
    expect(s.fake.posts).toHaveLength(6);
    await s.drain();
    expect(s.fake.posts).toHaveLength(7);
    expect((await s.posts()).every((p) => p.status === "sent")).toBe(true);
  });

  it("takes no post once the invocation's deadline has passed", async () => {
    const env = await setup({ deadline: Date.parse("2026-11-25T12:00:00.000Z") });
    await env.channel("slack");
    await env.incident();
    await env.drain();
    expect(env.fake.posts).toHaveLength(0);
    expect((await env.posts())[0]!.status).toBe("pending");
  });
});

describe("confirmation posts", () => {
  async function queueConfirmation(s: Awaited<ReturnType<typeof setup>>, channelId: string, expiresIn = 86_400_000) {
    const id = newId();
    const token = chatConfirmTokenMaker(await linkKey(s.deps.db))(id);
    await runAtomically(s.deps.db, [
      s.deps.db.insert(chatPosts).values({
        id,
        channelId,
        kind: "confirmation",
        status: "pending",
        nextAttemptAt: s.clock(),
        createdAt: s.clock(),
      }),
      s.deps.db
        .update(chatChannels)
        .set({ confirmTokenHash: sha256HexSync(token), confirmExpiresAt: s.clock() + expiresIn })
        .where(eq(chatChannels.id, channelId)),
    ]);
    return { id, token };
  }

  it("posts the confirm link, the page and components, and says nothing comes before confirming", async () => {
    const s = await setup();
    for (const platform of ["slack", "discord", "teams", "google_chat"] as const) {
      const channelId = await s.channel(platform, { status: "unconfirmed", follows: [await s.componentId("Webtix")] });
      const { token } = await queueConfirmation(s, channelId);
      await s.drain();
      const post = s.fake.posts.at(-1)!;
      expect(post.problems).toEqual([]);
      const text = JSON.stringify(post.json);
      expect(text).toContain(`https://status.example.com/chat/confirm/${token}`);
      expect(text).toContain("Webtix");
      expect(text).toContain("Nothing more will be posted here until someone in this channel confirms");
    }
  });

  it("an older confirmation replaced by a newer one is not posted", async () => {
    const s = await setup();
    const channelId = await s.channel("slack", { status: "unconfirmed" });
    const old = await queueConfirmation(s, channelId);
    const latest = await queueConfirmation(s, channelId);
    await s.drain();
    s.clock.advance(1000);
    await s.drain();
    expect(s.fake.posts).toHaveLength(1);
    expect(JSON.stringify(s.fake.posts[0]!.json)).toContain(latest.token);
    const rows = await s.posts();
    expect(rows.find((p) => p.id === old.id)).toMatchObject({
      status: "failed",
      lastError: "a newer confirmation replaced this one",
    });
  });
});
