// Screenshots of `/` for the README, from the built server in chromium: phone (360 px) and desktop (1280 px), light
// and dark, and an open incident. Run with `npx tsx test/browser/take-screenshots.ts` after `npm run build`.
import { mkdirSync } from "node:fs";
import type { BrowserContextOptions } from "playwright-core";
import { launchChromium, startMarquee } from "@/test/support/browser";

const out = new URL("../../docs/screenshots/", import.meta.url);
const phone: BrowserContextOptions = { viewport: { width: 360, height: 800 }, isMobile: true, hasTouch: true };
const desktop: BrowserContextOptions = { viewport: { width: 1280, height: 900 } };

const [browser, marquee] = await Promise.all([launchChromium(), startMarquee("screenshots-admin-key-0123456789")]);
try {
  mkdirSync(out, { recursive: true });
  const shoot = async (name: string, options: BrowserContextOptions) => {
    const context = await browser.newContext({ ...options, deviceScaleFactor: 1, timezoneId: "Europe/Berlin" });
    const page = await context.newPage();
    await page.goto(`${marquee.base}/`);
    await page.locator("#updated").filter({ hasText: "Updated" }).waitFor();
    await page.screenshot({ path: new URL(`${name}.png`, out).pathname, animations: "disabled", caret: "hide" });
    await context.close();
  };
  await shoot("phone-light", { ...phone, colorScheme: "light" });
  await shoot("phone-dark", { ...phone, colorScheme: "dark" });
  await shoot("desktop-light", { ...desktop, colorScheme: "light" });
  await shoot("desktop-dark", { ...desktop, colorScheme: "dark" });

  // The afternoon the provider rebooted a data centre: tix1 is down, the rest keeps selling.
  const tix1 = await marquee.component("tix1");
  await marquee.api("POST", "/incidents", {
    name: "Online sales down on tix1",
    body: "Online sales through tix1 fail. Box-office sales (Wintix) work everywhere.",
    components: { [tix1.id]: "major_outage" },
  });
  await new Promise((r) => setTimeout(r, 500));
  await shoot("incident-phone-light", { ...phone, colorScheme: "light" });
  await shoot("incident-desktop-dark", { ...desktop, colorScheme: "dark" });
} finally {
  await browser.close();
  await marquee.stop();
}
