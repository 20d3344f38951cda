import { eq } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { runAtomically } from "@/db/client";
import { staffAlertDeliveries, staffDestinations } from "@/db/schema";
import type { ChatPlatform } from "@/api/chat/platforms";
import { createNotifier } from "@/api/notify/notifier";
import { createResendTransport } from "@/api/notify/resend-transport";
import { createNodeOutbound } from "@/api/outbound/node-outbound";
import type { StaffDeps } from "@/api/services/audit";
import { staffAlertStatements, type StaffAlertInput } from "@/api/services/staff-alerts";
import { createStaffDestination } from "@/api/services/staff-destinations";
import { makeDeps } from "@/test/support/deps";
import { startFakeResend } from "@/test/support/fake-resend";
import { type ChatReply, platformOk, startChatReceiver } from "./chat-receiver";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup({ allowPrivate = true } = {}) {
  const env = await makeDeps();
  const deps: StaffDeps = { ...env.deps, outbound: createNodeOutbound({ allowPrivate }) };
  const resend = await startFakeResend();
  const transport = createResendTransport({ apiKey: "re_test", baseUrl: resend.url, requestsPerSecond: 1000 });
  const notifier = createNotifier({ ...deps, transport, staffAlertBackoffMs: 10 });
  cleanups.push(
    env.cleanup,
    () => resend.close(),
    () => notifier.stop(),
  );
  const queue = (alert: StaffAlertInput) => runAtomically(deps.db, staffAlertStatements(deps.db, alert, deps.clock()));
  const drain = async () => {
    notifier.wake();
    await notifier.idle();
  };
  return { ...env, deps, queue, drain };
}

async function receiver(platform: ChatPlatform, replies: ChatReply[] = []) {
  const r = await startChatReceiver(replies, platformOk[platform]);
  cleanups.push(r.close);
  return r;
}

const heartbeatLate: StaffAlertInput = {
  key: "heartbeat-late-backup-1",
  kind: "heartbeat_late",
  subject: "Nightly backup is late",
  text: "The heartbeat <backup> & @channel has not pinged since 02:00.",
  link: "https://status.example.com/admin/heartbeats",
};

const delivery = async (s: Awaited<ReturnType<typeof setup>>) =>
  (await s.deps.db.select().from(staffAlertDeliveries))[0]!;
const destinationRow = async (s: Awaited<ReturnType<typeof setup>>, id: string) =>
  (await s.deps.db.select().from(staffDestinations).where(eq(staffDestinations.id, id)))[0]!;

describe("staff alerts into chat", () => {
  it("each platform receives the alert as its native message, and the delivery is marked sent", async () => {
    const s = await setup();
    const hooks = {
      slack: await receiver("slack"),
      discord: await receiver("discord"),
      teams: await receiver("teams"),
      google_chat: await receiver("google_chat"),
    };
    for (const [kind, hook] of Object.entries(hooks)) {
      await createStaffDestination(s.deps, {
        kind: kind as ChatPlatform,
        target: `${hook.base}/${kind}?key=k&token=t`,
      });
    }
    await s.queue(heartbeatLate);
    await s.drain();
    const slack = hooks.slack.received[0]!.json;
    expect(slack.blocks[0].text.text).toBe("Nightly backup is late");
    expect(slack.blocks[1].text.text).toBe(
      "The heartbeat &lt;backup&gt; &amp; @\u200Bchannel has not pinged since 02:00.",
    );
    const discord = hooks.discord.received[0]!.json;
    expect(discord.allowed_mentions).toEqual({ parse: [] });
    expect(discord.embeds[0]).toMatchObject({ title: "Nightly backup is late", url: heartbeatLate.link });
    const teams = hooks.teams.received[0]!.json;
    expect(teams.attachments[0].contentType).toBe("application/vnd.microsoft.card.adaptive");
    expect(teams.attachments[0].content.actions).toEqual([
      { type: "Action.OpenUrl", title: "Open", url: heartbeatLate.link },
    ]);
    const google = hooks.google_chat.received[0]!;
    expect(google.json.cardsV2[0].card.header.title).toBe("Nightly backup is late");
    expect(new URL(google.url, "http://x").searchParams.get("messageReplyOption")).toBe(
      "REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD",
    );
    const rows = await s.deps.db.select().from(staffAlertDeliveries);
    expect(rows.map((r) => r.status)).toEqual(["sent", "sent", "sent", "sent"]);
  });

  it("Slack's 404 no_service disables the destination with the reason, and the next alert skips it", async () => {
    const s = await setup();
    const hook = await receiver("slack", [{ status: 404, body: "no_service" }]);
    const { value } = await createStaffDestination(s.deps, { kind: "slack", target: `${hook.base}/services/x` });
    await s.queue(heartbeatLate);
    await s.drain();
    expect(await destinationRow(s, value.id)).toMatchObject({ disabledReason: "slack 404 no_service" });
    expect(await delivery(s)).toMatchObject({ status: "failed", lastError: "slack 404 no_service" });
    await s.queue({ ...heartbeatLate, key: "heartbeat-late-backup-2" });
    await s.drain();
    expect(hook.received).toHaveLength(1);
  });

  it("Discord's Unknown Webhook and Teams' 404 disable their destinations too", async () => {
    const s = await setup();
    const discord = await receiver("discord", [{ status: 404, body: '{"message":"Unknown Webhook","code":10015}' }]);
    const teams = await receiver("teams", [{ status: 404 }]);
    const d = await createStaffDestination(s.deps, { kind: "discord", target: `${discord.base}/api/webhooks/1/x` });
    const t = await createStaffDestination(s.deps, { kind: "teams", target: `${teams.base}/workflows/1` });
    await s.queue(heartbeatLate);
    await s.drain();
    expect(await destinationRow(s, d.value.id)).toMatchObject({ disabledReason: "discord 404 10015" });
    expect(await destinationRow(s, t.value.id)).toMatchObject({ disabledReason: "teams 404" });
  });

  it("Discord's 429 is tried again after its retry_after, then lands once", async () => {
    const s = await setup();
    const limited = {
      status: 429,
      body: '{"message":"You are being rate limited.","retry_after":2.5,"global":false}',
      headers: { "retry-after": "3" },
    };
    const hook = await receiver("discord", [limited]);
    await createStaffDestination(s.deps, { kind: "discord", target: `${hook.base}/api/webhooks/1/x` });
    await s.queue(heartbeatLate);
    await s.drain();
    const row = await delivery(s);
    expect(row).toMatchObject({ status: "pending", lastError: "discord 429" });
    expect(row.nextAttemptAt - s.clock()).toBe(2500);
    s.clock.advance(2499);
    await s.drain();
    expect(hook.received).toHaveLength(1);
    s.clock.advance(1);
    await s.drain();
    expect(hook.received).toHaveLength(2);
    expect(await delivery(s)).toMatchObject({ status: "sent", attempts: 2 });
  });

  it("a 5xx from Google Chat is retried with backoff, and a payload refused with 400 is not retried nor disabling", async () => {
    const s = await setup();
    const google = await receiver("google_chat", [{ status: 503 }]);
    await createStaffDestination(s.deps, {
      kind: "google_chat",
      target: `${google.base}/v1/spaces/A/messages?key=k&token=t`,
    });
    await s.queue(heartbeatLate);
    await s.drain();
    expect(await delivery(s)).toMatchObject({ status: "pending", lastError: "google_chat 503" });
    s.clock.advance(10);
    await s.drain();
    expect(await delivery(s)).toMatchObject({ status: "sent", attempts: 2 });

    const s2 = await setup();
    const slack = await receiver("slack", [{ status: 400, body: "invalid_payload" }]);
    const { value } = await createStaffDestination(s2.deps, { kind: "slack", target: `${slack.base}/services/x` });
    await s2.queue(heartbeatLate);
    await s2.drain();
    expect(await delivery(s2)).toMatchObject({ status: "failed", lastError: "slack 400 invalid_payload" });
    expect((await destinationRow(s2, value.id)).disabledAt).toBeNull();
  });

  it("a chat destination on a private address is refused at registration without ALLOW_PRIVATE_WEBHOOKS", async () => {
    const s = await setup({ allowPrivate: false });
    const hook = await receiver("slack");
    await expect(
      createStaffDestination(s.deps, { kind: "slack", target: `${hook.base}/services/x` }),
    ).rejects.toMatchObject({
      code: "validation_failed",
    });
    await expect(
      createStaffDestination(s.deps, { kind: "teams", target: "http://169.254.169.254/latest/meta-data" }),
    ).rejects.toMatchObject({ code: "validation_failed" });
    expect(await s.deps.db.select().from(staffDestinations)).toEqual([]);
  });

  it("a chat destination stored behind the check's back is refused at send time, and nothing reaches it", async () => {
    const s = await setup({ allowPrivate: false });
    const hook = await receiver("slack");
    await s.deps.db.insert(staffDestinations).values({
      id: "privatechat1",
      kind: "slack",
      target: `${hook.base}/services/x`,
      source: "api",
      createdAt: s.clock(),
    });
    await s.queue(heartbeatLate);
    await s.drain();
    expect(hook.received).toHaveLength(0);
    expect((await delivery(s)).lastError).toMatch(/^slack refused/);
  });
});
