import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Browser, BrowserContextOptions, Locator, Page } from "playwright-core";
import { axeViolations, launchChromium, type Marquee, startMarquee, watchPage } from "@/test/support/browser";
import { waitForOutbox } from "@/test/support/outbox";
import { waitUntil } from "@/test/support/wait";

const adminKey = "browser-admin-key-0123456789-vq7w2kx9";
let browser: Browser;
let marquee: Marquee;

beforeAll(async () => {
  [browser, marquee] = await Promise.all([launchChromium(), startMarquee(adminKey)]);
});

afterAll(async () => {
  await browser?.close();
  await marquee?.stop();
});

/** Runs `use` on `/` in a fresh context (viewport, scheme, JavaScript, zone) and closes it afterwards. */
async function onPage<T>(options: BrowserContextOptions, use: (page: Page) => Promise<T>, path = "/"): Promise<T> {
  const context = await browser.newContext(options);
  try {
    const page = await context.newPage();
    await page.goto(marquee.base + path);
    return await use(page);
  } finally {
    await context.close();
  }
}

/** What a reader sees of the element: its rendered text, spaces collapsed. */
const text = async (locator: Locator) => (await locator.innerText()).replace(/\s+/g, " ").trim();

const phone = { width: 360, height: 740 };
const desktop = { width: 1280, height: 900 };

/** Opens an incident on a component and waits until the published page shows it. */
async function openIncident(name: string, component: string, status = "major_outage") {
  const { id } = await marquee.component(component);
  const incident = await marquee.api("POST", "/incidents", {
    name,
    body: "Online sales through **tix1** fail. Box-office sales work.",
    components: { [id]: status },
  });
  await published((html) => html.includes(incident.id));
  return incident.id as string;
}

async function resolveIncident(id: string) {
  await marquee.api("POST", `/incidents/${id}/resolve`, { body: "Sales work normally again." });
  await published((html) => !html.includes(`id="now" data-signature="${id}`));
}

/** Waits until the published `/` passes `check`. */
async function published(check: (html: string) => boolean) {
  await waitUntil(async () => check(await (await fetch(`${marquee.base}/`)).text()), "the published page changing");
}

describe("the status page in a browser", () => {
  test("loads in at most 25 KB compressed, all of it from its own host, with no console error", async () => {
    const load = async () => {
      const context = await browser.newContext({ viewport: desktop });
      const page = await context.newPage();
      const watch = await watchPage(page);
      await page.goto(`${marquee.base}/`);
      await expect.poll(() => text(page.locator("#updated"))).toMatch(/^Updated \d\d:\d\d:\d\d$/);
      await page.waitForLoadState("networkidle");
      await context.close();
      return watch;
    };
    const quiet = await load();
    const id = await openIncident("Webtix down on tix1 (budget)", "tix1");
    const outage = await load().finally(() => resolveIncident(id));
    for (const watch of [quiet, outage]) {
      const own = watch.urls.filter((u) => u.startsWith(`${marquee.base}/`));
      expect(watch.urls.filter((u) => !u.startsWith("data:"))).toEqual(own);
      expect(own).toEqual([`${marquee.base}/`, `${marquee.base}/api/v2/summary.json`]);
      expect(watch.total()).toBeGreaterThan(2000);
      expect(watch.total()).toBeLessThanOrEqual(25 * 1024);
      expect(watch.errors).toEqual([]);
    }
    console.info(`/ loads ${quiet.total()} bytes, ${outage.total()} with an open incident (compressed, with headers)`);
  });

  test("works without JavaScript on a 360 px phone: banner, groups, uptime days, times in the page's zone", async () => {
    const id = await openIncident("Webtix down on tix1 (no JS)", "tix1");
    try {
      await onPage(
        { viewport: phone, hasTouch: true, javaScriptEnabled: false, timezoneId: "America/New_York" },
        async (page) => {
          expect(await text(page.locator(".banner"))).toBe("Partial System Outage");
          expect(await page.locator("#updated").count()).toBe(0);
          // Nothing sticks out sideways on a phone.
          expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
          // The group with trouble starts open and shows its members' states in words.
          const group = page.locator("#component-list > li > details");
          expect(await group.getAttribute("open")).toBe("");
          expect(await text(group.locator(".row", { hasText: "tix1" }).locator(".status").first())).toBe(
            "Major Outage",
          );
          // Without JavaScript, times are in the page's zone and say so.
          expect(await text(page.locator("#now time").first())).toMatch(/^[A-Z][a-z]{2} \d+, \d{4}, \d\d:\d\d UTC$/);
          // A phone shows 30 days per bar, each still wide enough to see; a tap opens the days in words.
          const webtix = page.locator(".row", { hasText: "Webtix" }).locator("details.uptime");
          const widths = await webtix
            .locator(".bars > span")
            .evaluateAll((spans) => spans.map((s) => s.getBoundingClientRect().width).filter((w) => w > 0));
          expect(widths).toHaveLength(30);
          expect(Math.min(...widths)).toBeGreaterThan(7);
          expect(await text(webtix.locator(".scale"))).toContain("30 days ago");
          expect(await text(webtix.locator(".scale"))).not.toContain("90 days ago");
          expect(await webtix.locator(".days").isVisible()).toBe(false);
          await webtix.locator("summary").tap();
          expect(await webtix.locator(".days").isVisible()).toBe(true);
          expect(await text(webtix.locator(".days"))).toContain("No downtime");
          // The subscribe forms are plain forms: one for an email address, one for a chat channel.
          expect(await text(page.locator('#subscribe-email-form[action="/subscribe"] button'))).toBe("Subscribe");
          expect(await page.locator('#subscribe-chat-form[action="/subscribe"] button').textContent()).toBe(
            "Subscribe the channel",
          );
        },
      );
    } finally {
      await resolveIncident(id);
    }
  });

  test("on a wide screen each bar shows 90 days, and the days are reached with one tab stop per bar", async () => {
    await onPage({ viewport: desktop }, async (page) => {
      const bar = page.locator(".row", { hasText: "Webtix" }).locator("details.uptime");
      const shown = await bar.locator(".bars > span").evaluateAll((s) => s.filter((e) => e.clientWidth > 0).length);
      expect(shown).toBe(90);
      expect(await text(bar.locator(".scale"))).toContain("90 days ago");
      // Walk the whole page with Tab: each uptime bar is one stop, no day is one.
      const stops: string[] = [];
      for (let i = 0; i < 60; i++) {
        await page.keyboard.press("Tab");
        const stop = await page.evaluate(() => {
          const el = document.activeElement!;
          return el === document.body ? "" : `${el.tagName.toLowerCase()}${el.closest(".uptime") ? ".uptime" : ""}`;
        });
        if (stop === "" || (stops.length > 0 && stop === stops[0] && i > 5)) break;
        stops.push(stop);
      }
      expect(stops.filter((s) => s.endsWith(".uptime"))).toHaveLength(2);
      expect(stops.length).toBeLessThan(30);
      expect(stops).not.toContain("span.uptime");
      // Enter on the bar's stop opens the days in words.
      await bar.locator("summary").focus();
      await page.keyboard.press("Enter");
      expect(await bar.locator(".days").isVisible()).toBe(true);
      expect(await text(bar.locator(".days li").last())).toContain("uptime over 90 days");
    });
  });

  test("has no axe-core violations in light and dark, and is dark when the reader prefers it", async () => {
    for (const colorScheme of ["light", "dark"] as const) {
      await onPage({ viewport: desktop, colorScheme }, async (page) => {
        await page.locator("details").evaluateAll((all) => all.forEach((d) => ((d as HTMLDetailsElement).open = true)));
        expect(await axeViolations(page)).toEqual([]);
        const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
        expect(background).toBe(colorScheme === "dark" ? "rgb(13, 17, 23)" : "rgb(255, 255, 255)");
      });
    }
  });

  test("with an open incident: no axe-core violations on the page or the incident's own page, in both schemes", async () => {
    const id = await openIncident("Webtix down on tix1 (axe)", "tix1");
    try {
      for (const colorScheme of ["light", "dark"] as const) {
        for (const path of ["/", `/incidents/${id}`]) {
          await onPage(
            { viewport: phone, colorScheme },
            async (page) => {
              expect(await page.locator("h1, h3").filter({ hasText: "Webtix down on tix1 (axe)" }).count()).toBe(1);
              expect(await axeViolations(page), `${path} ${colorScheme}`).toEqual([]);
            },
            path,
          );
        }
      }
    } finally {
      await resolveIncident(id);
    }
  });

  test("refreshes while visible: a change shows without a reload, and an unchanged page costs a 304", async () => {
    const context = await browser.newContext({ viewport: desktop });
    const page = await context.newPage();
    const watch = await watchPage(page);
    await page.clock.install();
    const answers: number[] = [];
    page.on("response", (r) => r.url().endsWith("/api/v2/summary.json") && answers.push(r.status()));
    await page.goto(`${marquee.base}/`);
    await expect.poll(() => answers).toEqual([200]);
    await expect.poll(() => text(page.locator("#updated"))).toMatch(/^Updated \d\d:\d\d:\d\d$/);
    await page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));

    // Nothing changed: the next check is a 304.
    await page.clock.runFor(30_000);
    await expect.poll(() => answers).toEqual([200, 304]);

    // A component changes through the API: its state and the banner change in place.
    const wintix = await marquee.component("Wintix");
    const wintixStatus = page.locator(`[data-component="${wintix.id}"]`);
    expect(await text(wintixStatus)).toBe("Operational");
    await marquee.api("PATCH", `/components/${wintix.id}`, { status: "degraded_performance" });
    await published((html) => html.includes(`class="status tone-minor" data-component="${wintix.id}"`));
    const { status } = await (await fetch(`${marquee.base}/api/v2/status.json`)).json();
    expect(status).toEqual({ indicator: "minor", description: "Partially Degraded Service" });
    await page.clock.runFor(30_000);
    await expect.poll(() => text(wintixStatus)).toBe("Degraded Performance");
    expect(await wintixStatus.getAttribute("class")).toBe("status tone-minor");
    expect(await wintixStatus.locator("svg").count()).toBe(1);
    expect(await text(page.locator(".banner"))).toBe("Partially Degraded Service");
    expect(await page.locator(".banner").getAttribute("class")).toBe("banner tone-minor");

    // An incident opens, then is resolved: the open incidents and the past ones follow.
    const id = await openIncident("Wintix is slow (refresh)", "Wintix", "degraded_performance");
    await page.clock.runFor(30_000);
    await expect.poll(() => text(page.locator("#now"))).toContain("Wintix is slow (refresh)");
    await resolveIncident(id);
    await page.clock.runFor(30_000);
    await expect.poll(() => text(page.locator("#now"))).not.toContain("Wintix is slow (refresh)");
    expect(await text(page.locator("#past-incidents"))).toContain("Wintix is slow (refresh)");
    await expect.poll(() => text(page.locator(".banner"))).toBe("All Systems Operational");

    expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
    expect(answers.filter((status) => status !== 200 && status !== 304)).toEqual([]);
    expect(watch.errors).toEqual([]);
    await context.close();
  });

  test("runs its own scripts under the Content-Security-Policy, and the policy stops a script injected into it", async () => {
    const id = await openIncident("Webtix down on tix1 (policy)", "tix1");
    const context = await browser.newContext({ viewport: desktop, timezoneId: "America/New_York" });
    const page = await context.newPage();
    const watch = await watchPage(page);
    const answer = await page.goto(`${marquee.base}/`);
    await resolveIncident(id);
    expect(answer!.headers()["content-security-policy"]).toMatch(/script-src 'sha256-/);
    // Both inline scripts ran: the refresh script checked summary.json, the times script localised the times.
    await expect.poll(() => text(page.locator("#updated"))).toMatch(/^Updated \d\d:\d\d:\d\d$/);
    expect(await text(page.locator("#now time").first())).toMatch(/ E[SD]T, /);
    expect(watch.errors).toEqual([]);

    // Markup that slipped into a page would run nothing, and the browser reports it.
    await page.evaluate(() => {
      const script = document.createElement("script");
      script.textContent = "window.injected = true";
      document.body.append(script);
    });
    await expect.poll(() => watch.violations).toEqual(["script-src-elem blocked inline"]);
    expect(await page.evaluate(() => (window as unknown as { injected?: boolean }).injected)).toBeUndefined();
    await context.close();
  });

  test("with JavaScript, times are in the reader's zone, named, and open incidents say how long ago", async () => {
    const id = await openIncident("Webtix down on tix1 (zones)", "tix1");
    try {
      await onPage({ viewport: desktop, timezoneId: "America/New_York" }, async (page) => {
        const time = page.locator("#now time").first();
        const at = Date.parse((await time.getAttribute("datetime"))!);
        const inNewYork = new Intl.DateTimeFormat("en-US", {
          year: "numeric",
          month: "short",
          day: "numeric",
          hour: "2-digit",
          minute: "2-digit",
          hourCycle: "h23",
          timeZoneName: "short",
          timeZone: "America/New_York",
        }).format(at);
        expect(inNewYork).toMatch(/ E[SD]T$/);
        expect(await text(time)).toMatch(new RegExp(`^${inNewYork}, (this minute|\\d+ minutes? ago)$`));
        // Times of closed incidents carry no "ago", and are in the reader's zone too.
        expect(await text(page.locator("#past-incidents time").first())).toMatch(/ E[SD]T$/);
      });
    } finally {
      await resolveIncident(id);
    }
  });

  test("subscribing in the browser sends a confirmation email to the development outbox, whose link confirms", async () => {
    await onPage({ viewport: phone, hasTouch: true }, async (page) => {
      const form = page.locator("#subscribe-email-form");
      await form.locator("#subscribe-email").fill("reader@example.com");
      await form.locator("summary").tap();
      await form.getByLabel("Webtix").check();
      await form.getByRole("button", { name: "Subscribe" }).tap();
      await page.waitForURL(`${marquee.base}/subscribe`);
      expect(await text(page.locator("h1"))).toBe("Check your inbox");
      const mails = await waitForOutbox(marquee.outbox, 1);
      const mail = mails.find((m) => m.text?.includes("/subscribe/confirm/"))!;
      expect(mail.to).toMatchObject({ text: "reader@example.com" });
      const link = mail.text!.match(/\S*\/subscribe\/confirm\/\S+/)![0];
      await page.goto(marquee.base + new URL(link, marquee.base).pathname);
      // Following the link only shows a button: mail scanners follow links too.
      expect(await text(page.locator("h1"))).toBe("Confirm your subscription");
      await page.getByRole("button", { name: "Confirm subscription" }).tap();
      await page.waitForURL(`${marquee.base}/subscribe/confirm`);
      expect(await text(page.locator("main"))).toContain("reader@example.com will now receive status updates.");
    });
  });
});
