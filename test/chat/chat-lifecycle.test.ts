import { afterEach, describe, expect, it } from "vitest";
import { chatChannels, chatPosts } from "@/db/schema";
import { commit } from "@/api/services/effects";
import { tick } from "@/api/services/tick";
import { makeApp } from "@/test/support/app";
import { expectStatus, openIncident, scheduleMaintenance, type TestApp } from "@/test/support/factories";
import { waitUntil } from "@/test/support/wait";
import { startFakePlatforms } from "./fake-platforms";

// A customer's channel from the subscribe form to every kind of message it gets: the confirmation, an incident's
// updates, the incident's postmortem and a maintenance's reminder, each posted once, through the real app, the real
// chat sender and a fake Discord on 127.0.0.1.

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup() {
  const t: TestApp = await makeApp({ allowPrivateWebhooks: true });
  cleanups.push(t.cleanup);
  const fake = await startFakePlatforms();
  cleanups.push(fake.close);
  /**
   * Waits for the nth post to reach the fake and be recorded as sent, and gives its JSON as text. The pace is one post
   * a second per channel, by the injected clock, so the clock then moves on a second.
   */
  const post = async (n: number) => {
    await waitUntil(async () => {
      const sent = (await t.deps.db.select().from(chatPosts)).filter((p) => p.status === "sent");
      return fake.posts.length >= n && sent.length >= n;
    }, `post ${n} reaches the channel`);
    expect(fake.posts[n - 1]!.problems).toEqual([]);
    t.clock.advance(1000);
    return JSON.stringify(fake.posts[n - 1]!.json);
  };
  return { t, fake, post };
}

describe("a customer's chat channel", () => {
  it("is confirmed from inside the channel, then gets updates, the postmortem and a reminder, each once", async () => {
    const { t, fake, post } = await setup();
    const webhook = fake.url("discord", "customer");
    const asked = await t.app.request("/subscribe", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ channel: "discord", webhook_url: webhook }),
    });
    expect(asked.status).toBe(202);

    const confirmation = await post(1);
    const token = /\/chat\/confirm\/([0-9a-f]{64})/.exec(confirmation)![1]!;
    // Chat apps open links to preview them: opening the link confirms nothing, its button does.
    expect((await t.app.request(`/chat/confirm/${token}`)).status).toBe(200);
    expect((await t.deps.db.select().from(chatChannels))[0]!.status).toBe("unconfirmed");
    const pressed = await t.app.request("/chat/confirm", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "sec-fetch-site": "same-origin" },
      body: new URLSearchParams({ token }).toString(),
    });
    expect(pressed.status).toBe(200);
    expect((await t.deps.db.select().from(chatChannels))[0]!.status).toBe("active");

    const incident = await openIncident(t, { name: "Webtix checkout down", body: "We are looking into it." });
    const update = await post(2);
    expect(update).toContain("Webtix checkout down");
    expect(update).toContain(`/incidents/${incident.id}`);
    expect(update).toMatch(/\/chat\/manage\/[a-z0-9]{12}\.[0-9a-f]{32}/);

    await expectStatus(
      await t.call("POST", `/api/v1/incidents/${incident.id}/updates`, { status: "resolved", body: "Fixed." }),
      201,
    );
    expect(await post(3)).toContain("Fixed.");
    await t.call("PUT", `/api/v1/incidents/${incident.id}/postmortem`, { body: "The database ran out of disk." });
    await expectStatus(
      await t.call("POST", `/api/v1/incidents/${incident.id}/postmortem/publish`, { notify: true }),
      200,
    );
    const postmortem = await post(4);
    expect(postmortem).toContain("The database ran out of disk.");
    expect(postmortem).toContain("Postmortem");

    // A maintenance scheduled without a notice: its one-hour reminder is the first the channel hears of it.
    const start = t.clock() + 90 * 60_000;
    const maintenance = await scheduleMaintenance(t, {
      name: "Database upgrade",
      scheduled_for: new Date(start).toISOString(),
      scheduled_until: new Date(start + 3_600_000).toISOString(),
      notify: false,
    });
    t.clock.set(start - 50 * 60_000);
    await commit({ publisher: t.publisher, notifier: t.notifier }, tick(t.deps, null));
    const reminder = await post(5);
    expect(reminder).toContain("Scheduled maintenance in 1 hour: Database upgrade");
    expect(reminder).toContain(`/incidents/${maintenance.id}`);

    // Another tick, as after a restart, posts nothing again.
    await commit({ publisher: t.publisher, notifier: t.notifier }, tick(t.deps, null));
    await t.notifier.idle();
    expect(fake.posts).toHaveLength(5);
  });
});
