import { afterAll, beforeAll, expect, test } from "vitest";
import type { Browser } from "playwright-core";
import { axeViolations, launchChromium, type Marquee, startMarquee, watchPage } from "@/test/support/browser";

const adminKey = "browser-audit-key-0123456789-vq7w2kx9";
let browser: Browser;
let marquee: Marquee;

beforeAll(async () => {
  [browser, marquee] = await Promise.all([launchChromium(), startMarquee(adminKey)]);
});

afterAll(async () => {
  await browser?.close();
  await marquee?.stop();
});

test("the audit log is one tap from the console nav, readable on a phone, and lists the change just made", async () => {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
  const page = await context.newPage();
  await page.goto(`${marquee.base}/admin/login`);
  await page.getByLabel("API key (with write access)").fill(adminKey);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForLoadState();
  // Watched from here: the sign-in page's favicon request is the status page's business, not this one's.
  const watch = await watchPage(page);
  const tix1 = page.getByLabel("Ticketing servers: tix1", { exact: true });
  const form = page.locator('form[action^="/admin/components/"]').filter({ has: tix1 });
  await form.locator("select").selectOption("degraded_performance");
  await form.getByRole("button", { name: "Save" }).click();
  await page.waitForLoadState();

  await page.getByRole("navigation", { name: "Console" }).getByRole("link", { name: "Audit log" }).click();
  await page.waitForLoadState();
  expect(new URL(page.url()).pathname).toBe("/admin/audit");
  expect(await page.getByRole("heading", { level: 1 }).innerText()).toBe("Audit log");
  const newest = page.locator("table.audit tbody tr").first();
  expect(await newest.innerText()).toMatch(/Console: ADMIN_API_KEY \(configured\)[\s\S]*update component/);
  expect(await newest.innerText()).toContain("status: operational → degraded_performance");
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  expect(await axeViolations(page)).toEqual([]);
  expect(watch.errors).toEqual([]);
  await context.close();
});
