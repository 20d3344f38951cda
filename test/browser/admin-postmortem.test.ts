import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { axeViolations, launchChromium, type Marquee, startMarquee, watchPage } from "@/test/support/browser";

const adminKey = "browser-postmortem-key-0123456789-p4m8zr2d";
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

async function signIn(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${marquee.base}/admin`);
  await page.getByLabel("API key (with write access)").fill(adminKey);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForLoadState();
  return page;
}

describe("the postmortem editor in a browser", () => {
  test("write a draft, publish it for readers, unpublish it; axe finds nothing at 360 px", async () => {
    const tix1 = await marquee.component("tix1");
    const incident = (await marquee.api("POST", "/incidents", {
      name: "Webtix down on tix1",
      components: { [tix1.id]: "major_outage" },
      notify: false,
    })) as { id: string };
    await marquee.api("POST", `/incidents/${incident.id}/resolve`, { notify: false });

    const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
    const page = await signIn(context);
    const watch = await watchPage(page);
    expect(await text(page.locator("#resolved + ul"))).toContain("Webtix down on tix1 · Resolved");
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole("link", { name: "Postmortem of Webtix down on tix1" }).click();
    await page.waitForLoadState();
    expect(new URL(page.url()).pathname).toBe(`/admin/incidents/${incident.id}`);
    expect(await axeViolations(page)).toEqual([]);

    await page.getByLabel("Postmortem (Markdown)").fill("## What happened\nThe provider rebooted a **data centre**.");
    await page.getByRole("button", { name: "Save draft" }).click();
    await page.waitForLoadState();
    expect(await text(page.getByRole("status"))).toContain("Postmortem draft saved.");
    expect(await axeViolations(page)).toEqual([]);

    await page.getByLabel(/Email subscribers/).check();
    await page.getByRole("button", { name: "Publish" }).click();
    await page.waitForLoadState();
    expect(await text(page.getByRole("status"))).toBe("Postmortem published.");
    expect(await axeViolations(page)).toEqual([]);

    // Readers see it once the publisher has caught up; this reader reloads without its cache.
    const reader = await context.newPage();
    const cdp = await context.newCDPSession(reader);
    await cdp.send("Network.enable");
    await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
    const incidentUrl = `${marquee.base}/incidents/${incident.id}`;
    await expect.poll(async () => (await reader.goto(incidentUrl), reader.locator("#postmortem").count())).toBe(1);
    expect(await text(reader.locator("section.postmortem .md"))).toContain("The provider rebooted a data centre.");
    expect(await axeViolations(reader)).toEqual([]);

    await page.getByRole("button", { name: "Unpublish" }).click();
    await page.waitForLoadState();
    expect(await text(page.getByRole("status"))).toContain("Postmortem unpublished");
    await expect.poll(async () => (await reader.goto(incidentUrl), reader.locator("#postmortem").count())).toBe(0);
    expect(watch.errors).toEqual([]);
    await context.close();
  });
});
