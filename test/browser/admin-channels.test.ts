import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Browser } from "playwright-core";
import { axeViolations, launchChromium, type Marquee, startMarquee, watchPage } from "@/test/support/browser";

const adminKey = "browser-channels-key-0123456789-vq7w2kx9";
let browser: Browser;
let marquee: Marquee;

beforeAll(async () => {
  [browser, marquee] = await Promise.all([launchChromium(), startMarquee(adminKey)]);
});

afterAll(async () => {
  await browser?.close();
  await marquee?.stop();
});

describe("the chat channels page in a browser", () => {
  test("add a broadcast channel, see it masked, remove it; the page passes axe and fits a phone", async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
    const page = await context.newPage();
    await page.goto(`${marquee.base}/admin`);
    await page.getByLabel("API key (with write access)").fill(adminKey);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForLoadState();
    // Watched once signed in, as the other console pages are (the first load also asks for a favicon).
    const watch = await watchPage(page);
    await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Chat channels" }).click();
    await page.waitForLoadState();
    const fits = async (name: string) => {
      expect(await axeViolations(page), name).toEqual([]);
      expect(await page.evaluate(() => document.documentElement.scrollWidth), name).toBeLessThanOrEqual(360);
    };
    await fits("Chat channels, empty");

    await page.getByLabel("Platform").selectOption("slack");
    // A public address literal: this server has no DNS to resolve a platform's host with.
    await page.getByLabel("Incoming webhook URL").fill("https://93.184.215.14/services/T0001/B0001/SecretPathAbCd");
    await page.getByLabel("Webtix").check();
    await page.getByLabel("Name (optional)").fill("#status");
    await page.getByRole("button", { name: "Add channel" }).click();
    await page.waitForLoadState();
    expect(await page.getByRole("status").innerText()).toBe("Chat channel added.");
    const card = page.locator("section.card", { hasText: "#status" });
    expect(await card.innerText()).toContain("https://93.184.215.14/…AbCd");
    expect(await card.innerText()).toContain("Webtix");
    expect(await page.content()).not.toContain("SecretPath");
    await fits("Chat channels, one channel");

    await card.getByRole("button", { name: "Remove #status" }).click();
    await page.waitForLoadState();
    expect(await page.getByRole("status").innerText()).toBe("Chat channel removed.");
    expect(watch.errors).toEqual([]);
    await context.close();
  });
});
