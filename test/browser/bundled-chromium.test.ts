import { existsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Browser } from "playwright-core";
import { launchChromium, type Marquee, startMarquee } from "@/test/support/browser";
import { chooseChromium, resolveChromium, systemChromiumPath } from "@/test/support/chromium";

const adminKey = "bundled-browser-admin-key-4k8q2m7x";

describe("choosing the chromium the browser tests drive", () => {
  const installed = () => true;
  const missing = () => false;

  test("the system's when it is installed, else the one npm brings", () => {
    expect(chooseChromium(undefined, installed)).toEqual({ kind: "system", path: systemChromiumPath });
    expect(chooseChromium(undefined, missing)).toEqual({ kind: "bundled" });
    expect(chooseChromium("auto", missing)).toEqual({ kind: "bundled" });
    expect(chooseChromium("", missing)).toEqual({ kind: "bundled" });
  });

  test("MARQUEE_CHROMIUM forces one, or names a binary", () => {
    expect(chooseChromium("bundled", installed)).toEqual({ kind: "bundled" });
    expect(chooseChromium("system", missing)).toEqual({ kind: "system", path: systemChromiumPath });
    expect(chooseChromium("/opt/chrome/chrome", installed)).toEqual({ kind: "path", path: "/opt/chrome/chrome" });
  });

  test("a forced system chromium that is not there fails with a message, rather than skipping the tests", async () => {
    await expect(resolveChromium("/nonexistent/chromium")).rejects.toThrow(/no chromium at \/nonexistent\/chromium/);
  });
});

// The browser `npm install` brings, driven even where the system has its own: it must keep working for machines
// that have only Node.
describe("the bundled chromium", () => {
  let browser: Browser;
  let marquee: Marquee;

  beforeAll(async () => {
    [browser, marquee] = await Promise.all([launchChromium("bundled"), startMarquee(adminKey)]);
  });

  afterAll(async () => {
    await browser?.close();
    await marquee?.stop();
  });

  test("is unpacked from node_modules with the libraries it links against, not the system's chromium", async () => {
    const bundled = await resolveChromium("bundled");
    expect(bundled.executablePath).toMatch(/node_modules\/\.cache\/marquee-chromium\/[\d.]+\/chromium$/);
    expect(bundled.executablePath).not.toBe(systemChromiumPath);
    expect(existsSync(`${bundled.env!.LD_LIBRARY_PATH}/libnss3.so`)).toBe(true);
    expect(existsSync(`${bundled.env!.FONTCONFIG_PATH}/fonts.conf`)).toBe(true);
  });

  test("renders the status page: banner, components, and text in a real font", async () => {
    const page = await browser.newPage({ viewport: { width: 360, height: 740 } });
    await page.goto(`${marquee.base}/`);
    expect((await page.locator(".banner").innerText()).trim()).toBe("All Systems Operational");
    expect(await page.locator(".row", { hasText: "Webtix" }).count()).toBeGreaterThan(0);
    // Glyphs were drawn: the heading has a width, and the phone layout does not stick out sideways.
    const box = await page.locator(".banner").boundingBox();
    expect(box!.width).toBeGreaterThan(100);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    const png = await page.screenshot();
    expect(png.subarray(1, 4).toString()).toBe("PNG");
    await page.close();
  });
});
