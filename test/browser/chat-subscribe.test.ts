import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { eq } from "drizzle-orm";
import type { Browser, Locator, Page } from "playwright-core";
import type { Db } from "@/db/client";
import { openNodeDb } from "@/db/node";
import { chatChannels, chatPosts } from "@/db/schema";
import { chatConfirmTokenMaker } from "@/api/services/chat-links";
import { linkKey } from "@/api/services/subscriber-links";
import { axeViolations, launchChromium, type Marquee, startMarquee } from "@/test/support/browser";

const adminKey = "browser-admin-key-0123456789-chat7w2k";
let browser: Browser;
let marquee: Marquee;

beforeAll(async () => {
  [browser, marquee] = await Promise.all([launchChromium(), startMarquee(adminKey)]);
});

afterAll(async () => {
  await browser?.close();
  await marquee?.stop();
});

const text = async (locator: Locator) => (await locator.innerText()).replace(/\s+/g, " ").trim();

/** Opens the chat form on the status page and subscribes `webhook` on Discord, following Webtix only. */
async function subscribeChannel(page: Page, webhook: string, check?: () => Promise<void>) {
  await page.goto(`${marquee.base}/`);
  const form = page.getByRole("form", { name: "Subscribe a chat channel" });
  await page.getByText("Or get updates in Slack, Microsoft Teams, Discord or Google Chat").click();
  await expect.poll(() => form.isVisible()).toBe(true);
  await check?.();
  await form.getByLabel("Chat platform").selectOption({ label: "Discord" });
  await form.getByLabel("The channel's incoming-webhook URL").fill(webhook);
  await form.getByText("Only some components").click();
  await form.getByLabel("Webtix").check();
  await form.getByRole("button", { name: "Subscribe the channel" }).click();
  await page.waitForURL(`${marquee.base}/subscribe`);
  expect(await text(page.locator("h1"))).toBe("Check the channel");
}

/** The confirm link the sender would post for the channel: the server answers first and writes after. */
async function confirmLinkFor(db: Db, webhook: string) {
  let post: { id: string } | undefined;
  await expect
    .poll(async () => {
      const [channel] = await db.select().from(chatChannels).where(eq(chatChannels.url, webhook));
      [post] = channel ? await db.select().from(chatPosts).where(eq(chatPosts.channelId, channel.id)) : [];
      return post !== undefined;
    })
    .toBe(true);
  return `/chat/confirm/${chatConfirmTokenMaker(await linkKey(db))(post!.id)}`;
}

async function withDb<T>(use: (db: Db) => Promise<T>): Promise<T> {
  const { db, close } = openNodeDb(join(dirname(marquee.outbox), "marquee.db"));
  try {
    return await use(db);
  } finally {
    close();
  }
}

describe("subscribing a chat channel in a browser", () => {
  test("works without JavaScript: the form, the answer and the confirm button", async () => {
    const webhook = "https://discord.com/api/webhooks/1234567890/browser-token_X";
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 360, height: 740 } });
    context.setDefaultTimeout(15_000);
    try {
      const page = await context.newPage();
      await subscribeChannel(page, webhook, async () => {
        // Nothing sticks out sideways on a phone once the chat form is open.
        expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
      });
      await withDb(async (db) => {
        await page.goto(marquee.base + (await confirmLinkFor(db, webhook)));
        expect(await text(page.locator("h1"))).toBe("Confirm the channel");
        expect(await text(page.locator("main"))).toContain("this Discord channel");
        expect((await db.select().from(chatChannels).where(eq(chatChannels.url, webhook)))[0]!.status).toBe(
          "unconfirmed",
        );
        await page.getByRole("button", { name: "Confirm channel" }).click();
        await page.waitForURL(`${marquee.base}/chat/confirm`);
        expect(await text(page.locator("h1"))).toBe("Channel confirmed");
        const [channel] = await db.select().from(chatChannels).where(eq(chatChannels.url, webhook));
        expect(channel).toMatchObject({ platform: "discord", status: "active", allComponents: false });
      });
    } finally {
      await context.close();
    }
  });

  // axe runs as a script, so these pages are checked in a context with JavaScript: the markup is the same.
  test("the open chat form, the answer and the confirm page have no axe violations", async () => {
    const webhook = "https://discord.com/api/webhooks/1234567891/axe-token_Y";
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(15_000);
    try {
      const page = await context.newPage();
      await subscribeChannel(page, webhook, async () => expect(await axeViolations(page)).toEqual([]));
      expect(await axeViolations(page)).toEqual([]);
      await withDb(async (db) => page.goto(marquee.base + (await confirmLinkFor(db, webhook))));
      expect(await text(page.locator("h1"))).toBe("Confirm the channel");
      expect(await axeViolations(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });
  test("staff see the channel in the console with its URL masked, and remove it", async () => {
    const webhook = "https://discord.com/api/webhooks/1234567892/console-token_Zk42";
    const res = await fetch(`${marquee.base}/subscribe`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ channel: "discord", webhook_url: webhook }),
    });
    expect(res.status).toBe(202);
    await withDb((db) => confirmLinkFor(db, webhook));
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.setDefaultTimeout(15_000);
    try {
      const page = await context.newPage();
      await page.goto(`${marquee.base}/admin`);
      await page.getByLabel("API key (with write access)").fill(adminKey);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForLoadState();
      await page.goto(`${marquee.base}/admin/subscribers`);
      const row = page.locator("tr", { hasText: "discord.com …Zk42" });
      expect(await text(row)).toContain("Awaiting confirmation");
      expect(await page.content()).not.toContain("console-token");
      expect(await axeViolations(page)).toEqual([]);
      await row.getByRole("button", { name: "Remove the Discord channel discord.com …Zk42" }).click();
      await page.waitForLoadState();
      expect(await text(page.getByRole("status"))).toBe("Chat channel removed.");
      expect(await page.locator("tr", { hasText: "discord.com …Zk42" }).count()).toBe(0);
    } finally {
      await context.close();
    }
  });
});
