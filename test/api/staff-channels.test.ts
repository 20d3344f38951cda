import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { auditLog, chatChannelComponents, chatChannels, chatPosts, staffDestinations } from "@/db/schema";
import { makeApp, publicDns } from "@/test/support/app";
import { expectError, expectStatus, seededComponentId, type TestApp } from "@/test/support/factories";
import { waitUntil } from "@/test/support/wait";
import { startFakePlatforms } from "@/test/chat/fake-platforms";

type Channel = {
  id: string;
  type: string;
  purpose: string;
  name: string | null;
  url: string;
  components: string[] | null;
  status: string;
  created_at: string;
  disabled_at: string | null;
  disabled_reason: string | null;
  failing_since: string | null;
  last_error: string | null;
};

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(options: Parameters<typeof makeApp>[0] = { resolve: publicDns }) {
  const t = await makeApp(options);
  cleanups.push(t.cleanup);
  return t;
}

const slackUrl = "https://hooks.slack.com/services/T0001/B0001/SecretPathAbCd";
const create = (t: TestApp, body: unknown) => t.call("POST", "/api/v1/channels", body);
const rows = async (t: TestApp) =>
  JSON.stringify(
    await Promise.all(
      [chatChannels, chatChannelComponents, staffDestinations, auditLog].map((x) => t.deps.db.select().from(x)),
    ),
  );

describe("staff channels", () => {
  it("a broadcast channel is made active at once, listed, audited, and its URL is never shown in full", async () => {
    const t = await setup();
    const made = await expectStatus<Channel>(
      await create(t, { type: "slack", url: slackUrl, purpose: "broadcast", name: "#status" }),
      201,
    );
    expect(made).toMatchObject({
      type: "slack",
      purpose: "broadcast",
      name: "#status",
      url: "https://hooks.slack.com/…AbCd",
      components: null,
      status: "active",
      disabled_reason: null,
      last_error: null,
    });
    expect(await expectStatus<Channel[]>(await t.call("GET", "/api/v1/channels"), 200)).toEqual([made]);
    expect(await expectStatus<Channel>(await t.call("GET", `/api/v1/channels/${made.id}`), 200)).toEqual(made);
    const [row] = await t.deps.db.select().from(chatChannels);
    expect(row).toMatchObject({ status: "active", purpose: "broadcast", allComponents: true, url: slackUrl });
    const audit = await t.deps.db.select().from(auditLog);
    expect(audit.find((a) => a.resourceType === "chat_channel")).toMatchObject({
      action: "create",
      resourceId: made.id,
      fields: ["type", "url", "purpose", "name"],
    });
    expect(JSON.stringify(audit)).not.toContain("SecretPath");
  });

  it("a broadcast channel may follow some components only", async () => {
    const t = await setup();
    const webtix = await seededComponentId(t, "Webtix");
    const made = await expectStatus<Channel>(
      await create(t, {
        type: "discord",
        url: "https://discord.com/api/webhooks/1/tok",
        purpose: "broadcast",
        components: [webtix],
      }),
      201,
    );
    expect(made.components).toEqual([webtix]);
  });

  it("an alerts channel is a staff destination of the chat kind, listed alongside", async () => {
    const t = await setup();
    const made = await expectStatus<Channel>(
      await create(t, {
        type: "teams",
        url: "https://x.logic.azure.com/workflows/1/triggers/manual/paths/invoke?sig=s3cr",
        purpose: "alerts",
      }),
      201,
    );
    expect(made).toMatchObject({
      type: "teams",
      purpose: "alerts",
      status: "active",
      url: "https://x.logic.azure.com/…s3cr",
    });
    const [destination] = await t.deps.db.select().from(staffDestinations);
    expect(destination).toMatchObject({ id: made.id, kind: "teams", source: "api" });
    const list = await expectStatus<Channel[]>(await t.call("GET", "/api/v1/channels"), 200);
    expect(list.map((c) => c.id)).toEqual([made.id]);
  });

  it("refuses bad input with a 422 naming the field, and changes nothing", async () => {
    const t = await setup();
    const before = await rows(t);
    const cases: [unknown, RegExp][] = [
      [{ type: "irc", url: slackUrl, purpose: "broadcast" }, /^type: /],
      [{ type: "slack", url: "not a url", purpose: "broadcast" }, /^url: /],
      [{ type: "slack", url: slackUrl, purpose: "everything" }, /^purpose: /],
      [{ type: "slack", url: slackUrl, purpose: "broadcast", extra: 1 }, /extra/],
      [
        { type: "slack", url: slackUrl, purpose: "broadcast", components: ["nope00000000"] },
        /Unknown component id: nope00000000/,
      ],
      [{ type: "slack", url: slackUrl, purpose: "alerts", components: [] }, /^components: /],
    ];
    for (const [body, message] of cases) {
      const error = await expectError(await create(t, body), 422, "validation_failed");
      expect(error.message).toMatch(message);
    }
    expect(await rows(t)).toBe(before);
  });

  it("a webhook on a private or loopback address is refused without ALLOW_PRIVATE_WEBHOOKS", async () => {
    const t = await setup();
    const before = await rows(t);
    for (const url of ["http://127.0.0.1:8080/hook", "http://169.254.169.254/latest/meta-data/", "http://[::1]/x"]) {
      for (const purpose of ["broadcast", "alerts"]) {
        const error = await expectError(await create(t, { type: "slack", url, purpose }), 422, "validation_failed");
        expect(error.message).toMatch(/^(url|target): /);
      }
    }
    expect(await rows(t)).toBe(before);
  });

  it("only admin keys manage channels", async () => {
    const t = await setup();
    for (const scope of ["read", "write"] as const) {
      await expectError(
        await t.call("POST", "/api/v1/channels", { type: "slack", url: slackUrl, purpose: "broadcast" }, { scope }),
        403,
        "forbidden",
      );
      await expectError(await t.call("GET", "/api/v1/channels", undefined, { scope }), 403, "forbidden");
    }
  });

  it("the same webhook twice is a conflict", async () => {
    const t = await setup();
    await expectStatus(await create(t, { type: "slack", url: slackUrl, purpose: "broadcast" }), 201);
    await expectError(await create(t, { type: "slack", url: slackUrl, purpose: "broadcast" }), 409, "conflict");
  });

  it("a broadcast channel gets the update; disabled by the platform it shows why, and can be enabled again", async () => {
    const t = await setup({ allowPrivateWebhooks: true });
    const fake = await startFakePlatforms();
    cleanups.push(fake.close);
    const made = await expectStatus<Channel>(
      await create(t, { type: "slack", url: fake.url("slack", "ops"), purpose: "broadcast" }),
      201,
    );
    await expectStatus(
      await t.call("POST", "/api/v1/incidents", { name: "Webtix down", body: "Looking into it." }),
      201,
    );
    const sent = async () => (await t.deps.db.select().from(chatPosts)).filter((p) => p.status === "sent").length;
    await waitUntil(async () => (await sent()) === 1, "the broadcast channel gets the update");
    expect(fake.posts[0]!.problems).toEqual([]);
    expect(JSON.stringify(fake.posts[0]!.json)).toContain("Webtix down");

    t.clock.advance(1000); // the channel's pace: one post a second
    fake.reply("ops", { status: 410, body: "channel_is_archived" });
    await expectStatus(await t.call("POST", "/api/v1/incidents", { name: "Wintix slow" }), 201);
    await waitUntil(async () => (await t.deps.db.select().from(chatChannels))[0]!.status === "disabled", "disabled");
    const disabled = await expectStatus<Channel>(await t.call("GET", `/api/v1/channels/${made.id}`), 200);
    expect(disabled).toMatchObject({
      status: "disabled",
      disabled_reason: "slack 410 channel_is_archived",
      last_error: "slack 410 channel_is_archived",
    });

    const enabled = await expectStatus<Channel>(
      await t.call("PATCH", `/api/v1/channels/${made.id}`, { enabled: true }),
      200,
    );
    expect(enabled).toMatchObject({ status: "active", disabled_reason: null, disabled_at: null });
    await expectStatus(await t.call("PATCH", `/api/v1/channels/${made.id}`, { enabled: false }), 200);
    const again = await expectStatus<Channel>(await t.call("POST", `/api/v1/channels/${made.id}/enable`), 200);
    expect(again.status).toBe("active");
    await expectStatus(await t.call("POST", "/api/v1/incidents", { name: "tix3 back" }), 201);
    await waitUntil(async () => (await sent()) === 2, "the enabled channel gets the next update");
    expect(fake.posts).toHaveLength(3);
  });

  it("deleting a channel removes it and its queued posts", async () => {
    const t = await setup();
    const made = await expectStatus<Channel>(
      await create(t, { type: "slack", url: slackUrl, purpose: "broadcast" }),
      201,
    );
    const alerts = await expectStatus<Channel>(
      await create(t, {
        type: "google_chat",
        url: "https://chat.googleapis.com/v1/spaces/A/messages?key=k&token=t",
        purpose: "alerts",
      }),
      201,
    );
    expect(await t.deps.db.select().from(chatPosts).where(eq(chatPosts.channelId, made.id))).toEqual([]);
    await expectStatus(await t.call("DELETE", `/api/v1/channels/${made.id}`), 204);
    await expectStatus(await t.call("DELETE", `/api/v1/channels/${alerts.id}`), 204);
    await expectError(await t.call("GET", `/api/v1/channels/${made.id}`), 404, "not_found");
    expect(await expectStatus<Channel[]>(await t.call("GET", "/api/v1/channels"), 200)).toEqual([]);
  });
});
