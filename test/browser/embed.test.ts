import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Browser, BrowserContextOptions, Page } from "playwright-core";
import { axeViolations, launchChromium, type Marquee, startMarquee, watchPage } from "@/test/support/browser";
import { waitUntil } from "@/test/support/wait";

const adminKey = "browser-admin-key-0123456789-e3b3dj5x";
let browser: Browser;
let marquee: Marquee;
let customer: { server: Server; base: string };

/** A customer's own site on another origin, with styles of its own and a strict policy of its own. */
const hostStyle = `div { color: rgb(170, 0, 0) } a { color: rgb(0, 128, 0) } * { font-family: serif } ul { margin: 40px }`;
const hostPolicy = (status: string) =>
  [
    "default-src 'none'",
    // What docs/embed.md says a host's policy needs: the status page's origin for the script, its fetch and frames.
    `script-src ${status}`,
    `connect-src ${status}`,
    `frame-src ${status}`,
    `style-src 'sha256-${createHash("sha256").update(hostStyle).digest("base64")}'`,
  ].join("; ");

const hostPages = (status: string): Record<string, string> => ({
  "/": `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Acme tickets</title>
<style>${hostStyle}</style></head><body><main><h1>Tickets</h1><div id="own">Our own <strong id="own-strong">content</strong>
<a id="own-link" href="/">home</a></div><ul id="own-list"><li>one</li></ul></main>
<script src="${status}/embed.js" async></script></body></html>`,
  "/frame": `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Acme tickets</title>
<style>${hostStyle}</style></head><body><main><h1>Tickets</h1>
<iframe id="embed" src="${status}/embed" title="Service status" width="400" height="120"></iframe></main></body></html>`,
  "/options": `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Acme checkout</title>
</head><body><main><h1>Checkout</h1><div id="slot"><script src="${status}/embed.js" async data-position="inline"
data-components="Wintix" data-upcoming="24"></script></div></main></body></html>`,
  "/framing-the-page": `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Acme tickets</title>
</head><body><main><iframe id="front" src="${status}/" title="Status page"></iframe></main></body></html>`,
});

beforeAll(async () => {
  [browser, marquee] = await Promise.all([launchChromium(), startMarquee(adminKey)]);
  const pages = hostPages(marquee.base);
  const server = createServer((req, res) => {
    const page = pages[req.url ?? ""];
    if (!page) return res.writeHead(404).end();
    res.writeHead(200, {
      "content-type": "text/html; charset=utf-8",
      "content-security-policy": hostPolicy(marquee.base),
    });
    res.end(page);
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  customer = { server, base: `http://127.0.0.1:${(server.address() as { port: number }).port}` };
});

afterAll(async () => {
  await browser?.close();
  await marquee?.stop();
  await new Promise((ok) => customer?.server.close(ok));
});

const summary = async () =>
  (await (await fetch(`${marquee.base}/api/v2/summary.json`)).json()) as { incidents: { id: string }[] };

async function openIncident(name: string) {
  const { id } = await marquee.component("Webtix");
  const incident = (await marquee.api("POST", "/incidents", {
    name,
    body: "Online sales fail.",
    components: { [id]: "major_outage" },
  })) as { id: string };
  await waitUntil(async () => (await summary()).incidents.some((i) => i.id === incident.id), "summary.json shows it");
  return incident.id;
}

async function resolveIncident(id: string) {
  await marquee.api("POST", `/incidents/${id}/resolve`, { body: "Sales work again." });
  await waitUntil(async () => !(await summary()).incidents.some((i) => i.id === id), "summary.json forgets it");
}

/** The notice as the embed drew it in its shadow root, or null while it shows nothing. */
const notice = (page: Page) =>
  page.evaluate(() => {
    const host = [...document.querySelectorAll("*")].find((e) => e.shadowRoot);
    const box = host?.shadowRoot?.querySelector("section");
    if (!box) return null;
    const link = box.querySelector("a")!;
    const style = (e: Element) => getComputedStyle(e);
    return {
      text: box.innerText,
      live: box.parentElement!.getAttribute("role"),
      linkText: link.textContent,
      href: link.href,
      images: host!.shadowRoot!.querySelectorAll("img").length,
      textColour: style(box.querySelector("li")!).color,
      linkColour: style(link).color,
      font: style(box).fontFamily,
      listMargin: style(box.querySelector("ul")!).marginLeft,
      animation: style(box).animationName,
    };
  });

/** The host page's own elements, as its own styles draw them. */
const hostLook = (page: Page) =>
  page.evaluate(() => {
    const style = (id: string) => getComputedStyle(document.getElementById(id)!);
    return {
      colour: style("own").color,
      strong: style("own-strong").display,
      link: style("own-link").color,
      list: style("own-list").marginLeft,
      font: style("own").fontFamily,
    };
  });
const untouchedHost = {
  colour: "rgb(170, 0, 0)",
  strong: "inline",
  link: "rgb(0, 128, 0)",
  list: "40px",
  font: "serif",
};

async function inContext<T>(options: BrowserContextOptions, use: (page: Page) => Promise<T>) {
  const context = await browser.newContext(options);
  try {
    return await use(await context.newPage());
  } finally {
    await context.close();
  }
}

describe("the embed on a customer's site", () => {
  test("shows an open incident as text with a link, without touching the host's styles, and hides once resolved", async () => {
    const name = "<img src=x onerror=alert(1)>";
    const id = await openIncident(name);
    await inContext({}, async (page) => {
      const watch = await watchPage(page);
      const dialogs: string[] = [];
      page.on("dialog", (d) => (dialogs.push(d.message()), void d.dismiss()));
      await page.clock.install();
      await page.goto(`${customer.base}/`);
      const shown = await waitUntil(() => notice(page), "the notice shows");
      expect(shown.live).toBe("status");
      expect(shown.linkText).toBe(name);
      expect(shown.text).toContain(name);
      expect(shown.href).toBe(`${marquee.base}/incidents/${id}`);
      expect(shown.images).toBe(0);
      expect(dialogs).toEqual([]);
      // The host's `div`, `a`, `*` and `ul` rules do not reach the notice, and the notice's rules do not reach the host.
      expect(shown.textColour).not.toBe("rgb(170, 0, 0)");
      expect(shown.linkColour).not.toBe("rgb(0, 128, 0)");
      expect(shown.font).not.toBe("serif");
      expect(shown.listMargin).toBe("0px");
      expect(await hostLook(page)).toEqual(untouchedHost);
      expect(await axeViolations(page)).toEqual([]);

      // What went over the wire, from chromium's network log: the page itself sees a revalidated copy as a 200.
      const polls: { status: number; ifNoneMatch: string | null }[] = [];
      const asked = new Map<string, string | null>();
      const cdp = await page.context().newCDPSession(page);
      await cdp.send("Network.enable");
      cdp.on("Network.requestWillBeSentExtraInfo", (e) => {
        const header = Object.entries(e.headers).find(([name]) => name.toLowerCase() === "if-none-match");
        asked.set(e.requestId, header?.[1] ?? null);
      });
      cdp.on("Network.responseReceivedExtraInfo", (e) => {
        if (asked.has(e.requestId)) polls.push({ status: e.statusCode, ifNoneMatch: asked.get(e.requestId)! });
      });
      // Time stands still in the page from here: only the clock moved by the test fires the next poll.
      await page.clock.pauseAt(Date.now() + 5_000);
      // Nothing changed: the browser's copy is revalidated with its entity tag and answered 304.
      await page.clock.fastForward(60_000);
      await waitUntil(() => polls.length === 1, "the next poll");
      expect(polls[0]!.status).toBe(304);
      expect(polls[0]!.ifNoneMatch).toMatch(/^"/);
      expect(await notice(page)).not.toBeNull();
      await resolveIncident(id);
      expect(await notice(page)).not.toBeNull();
      await page.clock.fastForward(60_000);
      await waitUntil(async () => (await notice(page)) === null, "the notice hides after the next poll");
      expect(await hostLook(page)).toEqual(untouchedHost);
      expect(watch.errors).toEqual([]);
      // It fetched the script and summary.json from the status page, and nothing else from anywhere.
      const elsewhere = watch.urls.filter((u) => !u.startsWith(customer.base) && !u.startsWith(marquee.base));
      expect(elsewhere).toEqual([]);
      // One poll at load and one after each minute the test moved the clock by: never faster.
      expect(watch.urls.filter((u) => u.startsWith(marquee.base))).toEqual([
        `${marquee.base}/embed.js`,
        ...Array(3).fill(`${marquee.base}/api/v2/summary.json`),
      ]);
      expect(polls.map((p) => p.status)).toEqual([304, 200]);
    });
  });

  test("asks nothing while the tab is hidden, and asks again when it is shown once its minute has passed", async () => {
    await inContext({}, async (page) => {
      const watch = await watchPage(page);
      await page.clock.install();
      await page.goto(`${customer.base}/`);
      const polls = () => watch.urls.filter((u) => u.endsWith("/api/v2/summary.json")).length;
      await waitUntil(() => polls() === 1, "the first poll");
      await page.clock.pauseAt(Date.now() + 5_000);
      // The reader switches to another tab (chromium's own state stays visible in a headless page).
      const setVisibility = (state: "hidden" | "visible") =>
        page.evaluate((state) => {
          Object.defineProperty(document, "visibilityState", { configurable: true, get: () => state });
          document.dispatchEvent(new Event("visibilitychange"));
        }, state);
      await setVisibility("hidden");
      await page.clock.fastForward(180_000);
      await page.waitForLoadState("networkidle");
      expect(polls()).toBe(1);
      await setVisibility("visible");
      await waitUntil(() => polls() === 2, "a poll as the tab is shown");
      // Shown again within the minute: no extra request before the minute is up.
      await setVisibility("hidden");
      await setVisibility("visible");
      await page.clock.fastForward(30_000);
      await page.waitForLoadState("networkidle");
      expect(polls()).toBe(2);
      await page.clock.fastForward(30_000);
      await waitUntil(() => polls() === 3, "the poll a minute later");
      expect(watch.errors).toEqual([]);
    });
  });

  test("is readable in light and dark with 0 axe violations, and keeps still for readers who ask for less motion", async () => {
    const id = await openIncident("Webtix sales fail");
    try {
      for (const colorScheme of ["light", "dark"] as const) {
        for (const reducedMotion of ["reduce", "no-preference"] as const) {
          await inContext({ colorScheme, reducedMotion }, async (page) => {
            const watch = await watchPage(page);
            await page.goto(`${customer.base}/`);
            const shown = await waitUntil(() => notice(page), "the notice shows");
            expect(shown.animation, reducedMotion).toBe(reducedMotion === "reduce" ? "none" : "i");
            expect(await axeViolations(page), `${colorScheme} ${reducedMotion}`).toEqual([]);
            expect(watch.errors).toEqual([]);
          });
        }
      }
    } finally {
      await resolveIncident(id);
    }
  });

  test("stays dismissed for that incident in this tab, and shows again for a new one", async () => {
    const first = await openIncident("Webtix slow");
    const later: string[] = [];
    try {
      await inContext({}, async (page) => {
        await page.goto(`${customer.base}/`);
        await waitUntil(() => notice(page), "the notice shows");
        await page.getByRole("button", { name: "Dismiss this notice" }).click();
        expect(await notice(page)).toBeNull();
        await page.reload();
        await page.waitForLoadState("networkidle");
        expect(await notice(page)).toBeNull();
        later.push(await openIncident("Wintix down"));
        await page.reload();
        const shown = await waitUntil(() => notice(page), "the new incident shows");
        expect(shown.text).toContain("Wintix down");
        expect(shown.text).not.toContain("Webtix slow");
      });
    } finally {
      for (const id of [first, ...later]) await resolveIncident(id);
    }
  });

  test("options: only the watched components, maintenance a day ahead, in the flow of the page", async () => {
    const webtix = await openIncident("Webtix checkout slow");
    const wintix = await marquee.component("Wintix");
    const starts = Date.now() + 2 * 3_600_000;
    const maintenance = (await marquee.api("POST", "/maintenances", {
      name: "Wintix upgrade",
      scheduled_for: new Date(starts).toISOString(),
      scheduled_until: new Date(starts + 3_600_000).toISOString(),
      components: [wintix.id],
      notify: false,
    })) as { id: string };
    try {
      await waitUntil(
        async () => JSON.stringify(await summary()).includes(maintenance.id),
        "summary.json lists the maintenance",
      );
      await inContext({}, async (page) => {
        const watch = await watchPage(page);
        await page.goto(`${customer.base}/options`);
        const shown = await waitUntil(() => notice(page), "the notice shows");
        expect(shown.text).toContain("Scheduled maintenance");
        expect(shown.linkText).toBe("Wintix upgrade");
        // The incident on Webtix, a component this page does not watch, is left out.
        expect(shown.text).not.toContain("Webtix checkout slow");
        const placed = await page.evaluate(() => {
          const host = [...document.querySelectorAll("*")].find((e) => e.shadowRoot)!;
          return { parent: host.parentElement!.id, after: host.previousElementSibling!.tagName };
        });
        expect(placed).toEqual({ parent: "slot", after: "SCRIPT" });
        expect(await axeViolations(page)).toEqual([]);
        expect(watch.errors).toEqual([]);
      });
    } finally {
      await resolveIncident(webtix);
      await marquee.api("POST", `/maintenances/${maintenance.id}/updates`, { status: "completed", notify: false });
    }
  });

  test("/embed shows in an iframe on the customer's site and keeps current; the status page refuses to be framed", async () => {
    const id = await openIncident("Wintix printing fails");
    await inContext({}, async (page) => {
      const watch = await watchPage(page);
      await page.clock.install();
      await page.goto(`${customer.base}/frame`);
      const frame = page.frameLocator("#embed");
      await expect.poll(() => frame.locator("main").innerText()).toContain("Wintix printing fails");
      expect(await frame.getByRole("link", { name: "Wintix printing fails" }).getAttribute("href")).toBe(
        `/incidents/${id}`,
      );
      expect(await axeViolations(page)).toEqual([]);
      const inner = page.frames().find((f) => f.url() === `${marquee.base}/embed`)!;
      expect(await axeViolations(inner)).toEqual([]);
      // Time stands still in the page and its frame: the frame revalidates only when the test moves the clock.
      await page.clock.pauseAt(Date.now() + 5_000);
      await resolveIncident(id);
      await page.clock.fastForward(60_000);
      await expect.poll(() => frame.locator("main").innerText()).toContain("All Systems Operational");
      expect(await frame.locator("main").innerText()).not.toContain("Wintix printing fails");
      expect(watch.errors).toEqual([]);
    });
    await inContext({}, async (page) => {
      const watch = await watchPage(page);
      await page.goto(`${customer.base}/framing-the-page`);
      await page.waitForLoadState("load");
      const front = page.frames().find((f) => f !== page.mainFrame())!;
      await waitUntil(
        () =>
          watch.errors.some(
            (e) => e.includes(`Framing '${marquee.base}/' violates`) && e.includes("frame-ancestors 'none'"),
          ),
        "chromium refuses to frame the status page",
      );
      expect(front.url()).not.toBe(`${marquee.base}/`);
    });
  });
});
