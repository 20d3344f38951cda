import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Browser, BrowserContext, Locator, Page } from "playwright-core";
import { axeViolations, launchChromium, type Marquee, startMarquee, watchPage } from "@/test/support/browser";

const adminKey = "browser-console-key-0123456789-vq7w2kx9";
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

/** A staff member's phone, signed in through the form. */
async function signIn(context: BrowserContext, key = adminKey): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${marquee.base}/admin`);
  expect(new URL(page.url()).pathname).toBe("/admin/login");
  await page.getByLabel("API key (with write access)").fill(key);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForLoadState();
  return page;
}

// Staff text that would run if it were ever inserted as HTML; every page must show it as text.
const hostile = `Webtix down <script>window.pwned = "name"</script><img src=x onerror="window.pwned = 'img'">`;

describe("the staff console in a browser", () => {
  test("a wrong key gets a plain message and no session", async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
    const page = await signIn(context, "mq_not-a-real-key-at-all");
    expect(new URL(page.url()).pathname).toBe("/admin/login");
    expect(await text(page.getByRole("alert"))).toBe("That key cannot sign in. Use an API key with write access.");
    expect(await context.cookies()).toEqual([]);
    await page.goto(`${marquee.base}/admin`);
    expect(new URL(page.url()).pathname).toBe("/admin/login");
    await context.close();
  });

  test("from sign-in to a resolved incident, seen on the public page; staff HTML stays text", async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
    const page = await signIn(context);
    const watch = await watchPage(page);
    expect(new URL(page.url()).pathname).toBe("/admin");
    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({ name: "marquee_admin", httpOnly: true, secure: true, sameSite: "Strict" });
    expect(await axeViolations(page)).toEqual([]);

    // Open an incident on tix1 from the template.
    await page.locator("#incident-name").fill(hostile);
    expect(await page.locator("#incident-body").inputValue()).toMatch(/^We are investigating/);
    await page.locator("#incident-body").fill(`Sales fail on **tix1**. <script>window.pwned = "body"</script>`);
    const affected = page.locator("fieldset", { hasText: "Affected components" });
    await affected.getByLabel("Ticketing servers: tix1", { exact: true }).selectOption("major_outage");
    await page.getByRole("button", { name: "Open incident" }).click();
    await page.waitForLoadState();
    expect(await text(page.getByRole("status"))).toBe("Incident opened.");
    const card = page.locator("article.card", { hasText: "Webtix down" });
    expect(await text(card.locator("h3"))).toBe(hostile);
    expect(await axeViolations(page)).toEqual([]);

    // Readers see it, with the staff text as text.
    const reader = await context.newPage();
    const readerWatch = await watchPage(reader);
    // Pages may be cached for 5 s; this reader reloads to see each step at once.
    const cdp = await context.newCDPSession(reader);
    await cdp.send("Network.enable");
    await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
    await expect.poll(async () => (await reader.goto(`${marquee.base}/`), reader.locator("#now h3").count())).toBe(1);
    expect(await text(reader.locator("#now h3"))).toBe(hostile);
    expect(await text(reader.locator("#now .md"))).toBe(`Sales fail on tix1. <script>window.pwned = "body"</script>`);
    expect(await text(reader.locator(".banner"))).toBe("Partial System Outage");
    const incidentPath = (await reader.locator("#now h3 a").getAttribute("href"))!;
    await reader.goto(marquee.base + incidentPath);
    expect(await text(reader.locator("h1"))).toBe(hostile);

    // An update, then the resolution.
    await page.getByLabel("New status").selectOption("identified");
    await page.getByLabel("Update", { exact: true }).fill("A data centre was rebooted by mistake.");
    await page.getByRole("button", { name: "Post update" }).click();
    await page.waitForLoadState();
    expect(await text(page.getByRole("status"))).toBe("Update posted.");
    await page.getByRole("button", { name: "Resolve (and notify)" }).click();
    await page.waitForLoadState();
    expect(await text(page.getByRole("status"))).toBe("Incident resolved.");
    expect(await text(page.locator("main"))).toContain("No open incidents.");

    // Publishing follows the write within a moment.
    await expect
      .poll(async () => (await reader.goto(marquee.base + incidentPath), text(reader.locator("dl.facts"))))
      .toMatch(/Status Resolved/);
    expect(await reader.locator(".timeline h3").allInnerTexts()).toEqual(["Resolved", "Identified", "Investigating"]);
    await reader.goto(`${marquee.base}/`);
    expect(await text(reader.locator(".banner"))).toBe("All Systems Operational");
    expect(await reader.locator("#now").innerHTML()).toMatch(/^\s*$/);
    expect(await text(reader.locator("#past-incidents"))).toContain(hostile);

    for (const p of [page, reader]) {
      expect(await p.evaluate(() => (window as unknown as { pwned?: string }).pwned)).toBeUndefined();
    }
    expect([...watch.errors, ...readerWatch.errors]).toEqual([]);

    // Signing out ends the session.
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForLoadState();
    expect(new URL(page.url()).pathname).toBe("/admin/login");
    expect(await context.cookies()).toEqual([]);
    await context.close();
  });

  test("create a component, save a template using it, and open an incident from the template", async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
    const page = await signIn(context);
    const watch = await watchPage(page);
    const nav = page.getByRole("navigation", { name: "Console" });

    await nav.getByRole("link", { name: "Components" }).click();
    await page.waitForLoadState();
    expect(await axeViolations(page)).toEqual([]);
    await page.getByLabel("Component name").fill("Webtix Lyon");
    await page.locator("#new-component-group").selectOption({ label: "Ticketing servers" });
    await page.getByRole("button", { name: "Create component" }).click();
    await page.waitForLoadState();
    expect(await text(page.getByRole("status"))).toBe("Component created.");
    await page.getByRole("link", { name: "Delete Webtix Lyon…" }).waitFor();

    await nav.getByRole("link", { name: "Templates" }).click();
    await page.waitForLoadState();
    expect(await axeViolations(page)).toEqual([]);
    await page.getByLabel("Template name").fill("Lyon down");
    await page.getByLabel("Incident title").fill("Sales in Lyon fail");
    await page.locator("#template-status").selectOption("identified");
    await page.getByLabel("First update").fill("The Lyon data centre was rebooted.");
    await page
      .locator("fieldset", { hasText: "Affected components" })
      .getByLabel("Ticketing servers: Webtix Lyon", { exact: true })
      .selectOption("major_outage");
    await page.getByLabel("Notify subscribers by default").uncheck();
    await page.getByRole("button", { name: "Create template" }).click();
    await page.waitForLoadState();
    expect(await text(page.getByRole("status"))).toBe("Template saved.");

    await page.getByRole("link", { name: "Open an incident from Lyon down" }).click();
    await page.waitForLoadState();
    expect(await page.locator("#incident-name").inputValue()).toBe("Sales in Lyon fail");
    expect(await page.locator("#incident-status").inputValue()).toBe("identified");
    expect(await page.locator("#incident-body").inputValue()).toBe("The Lyon data centre was rebooted.");
    expect(await page.locator("#open-incident").getByLabel("Notify subscribers").isChecked()).toBe(false);
    const affected = page.locator("fieldset", { hasText: "Affected components" });
    expect(await affected.getByLabel("Ticketing servers: Webtix Lyon", { exact: true }).inputValue()).toBe(
      "major_outage",
    );
    expect(await axeViolations(page)).toEqual([]);
    await page.getByRole("button", { name: "Open incident" }).click();
    await page.waitForLoadState();
    expect(await text(page.getByRole("status"))).toBe("Incident opened.");
    expect(await text(page.locator("article.card", { hasText: "Sales in Lyon fail" }).locator(".meta"))).toContain(
      "Identified",
    );

    // The admin-only pages are reachable from the nav, and pass the same checks.
    for (const name of ["Settings", "API keys", "Subscribers"]) {
      await nav.getByRole("link", { name }).click();
      await page.waitForLoadState();
      expect(await axeViolations(page), name).toEqual([]);
      expect(await page.evaluate(() => document.documentElement.scrollWidth), name).toBeLessThanOrEqual(360);
    }
    expect(watch.errors).toEqual([]);
    await context.close();
  });

  test("add a monitor and see it in the list; the automatic-status pages pass axe and fit a phone", async () => {
    const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
    const page = await signIn(context);
    const watch = await watchPage(page);
    const nav = page.getByRole("navigation", { name: "Console" });
    const fits = async (name: string) => {
      expect(await axeViolations(page), name).toEqual([]);
      expect(await page.evaluate(() => document.documentElement.scrollWidth), name).toBeLessThanOrEqual(360);
    };
    await fits("Dashboard");

    await nav.getByRole("link", { name: "Monitors" }).click();
    await page.waitForLoadState();
    await fits("Monitors, empty");
    await page.getByLabel("Name", { exact: true }).fill("tix1 health");
    await page.getByLabel("Type", { exact: true }).selectOption("tcp");
    await page.getByLabel("Host (TCP)", { exact: true }).fill("tix1.invalid");
    await page.getByLabel("Port (TCP)", { exact: true }).fill("443");
    await page.getByLabel("Interval (seconds)", { exact: true }).fill("300");
    await page.getByLabel("Component", { exact: true }).selectOption({ label: "tix1" });
    await page.getByLabel("Incident", { exact: true }).selectOption("draft");
    await page.getByRole("button", { name: "Add monitor" }).click();
    await page.waitForLoadState();
    expect(await text(page.getByRole("status"))).toBe("Monitor added. Its first check comes within its interval.");
    const card = page.locator("section.card", { hasText: "tix1 health" });
    expect(await text(card)).toContain("TCP tix1.invalid:443");
    await fits("Monitors");
    await card.getByRole("link", { name: "tix1 health" }).click();
    await page.waitForLoadState();
    expect(await page.getByLabel("Name", { exact: true }).inputValue()).toBe("tix1 health");
    await fits("Monitor page");
    // The settings form posts back as it is shown: a tcp monitor's page saves without touching a field.
    await page.getByLabel("Interval (seconds)", { exact: true }).fill("600");
    await page.getByRole("button", { name: "Save monitor" }).click();
    await page.waitForLoadState();
    expect(await text(page.getByRole("status"))).toBe("Monitor saved.");
    expect(await page.getByLabel("Interval (seconds)", { exact: true }).inputValue()).toBe("600");

    await nav.getByRole("link", { name: "Heartbeats" }).click();
    await page.waitForLoadState();
    await page.getByLabel("Name", { exact: true }).fill("Nightly backup");
    await page.getByRole("button", { name: "Add heartbeat" }).click();
    await page.waitForLoadState();
    expect(await page.getByLabel("Ping URL", { exact: true }).inputValue()).toMatch(/\/ping\/[0-9a-f]{40}$/);
    await fits("Heartbeats, with the new ping URL");

    await nav.getByRole("link", { name: "Staff alerts" }).click();
    await page.waitForLoadState();
    await fits("Staff alerts");
    expect(watch.errors).toEqual([]);
    await context.close();
  });
});
