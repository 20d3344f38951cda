import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Browser } from "playwright-core";
import { launchChromium, type Marquee, startMarquee } from "@/test/support/browser";
import { contrast } from "@/test/support/contrast";
import { labelColour, toneColours } from "@/present/badges";

const rgb = (hex: string) => `rgb(${[1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(", ")})`;
import { waitUntil } from "@/test/support/wait";

const adminKey = "browser-admin-key-0123456789-b4dg3s7q";
let browser: Browser;
let marquee: Marquee;

beforeAll(async () => {
  [browser, marquee] = await Promise.all([launchChromium(), startMarquee(adminKey)]);
});

afterAll(async () => {
  await browser?.close();
  await marquee?.stop();
});

/** A README-like page that shows the badge with an <img>, dark or light as the reader prefers. */
const hostPage = (src: string) => `<!doctype html><html><head><title>Readme</title>
<style>body { background: #fff; color: #000 } @media (prefers-color-scheme: dark) { body { background: #0d1117 } }</style>
</head><body><p><img id="badge" src="${src}" alt="Service status"></p></body></html>`;

type Drawn = { width: number; height: number; left: string; right: string };

/**
 * Loads the badge in an <img> on a page and draws it on a canvas: the colour most of each half's pixels have is its
 * background as the reader sees it. The page is served at the badge's origin so the canvas may read the pixels.
 */
async function drawnBadge(path: string, colorScheme: "light" | "dark"): Promise<Drawn> {
  const context = await browser.newContext({ colorScheme });
  try {
    const page = await context.newPage();
    await page.route(`${marquee.base}/readme.html`, (route) =>
      route.fulfill({ contentType: "text/html", body: hostPage(path) }),
    );
    await page.goto(`${marquee.base}/readme.html`);
    await page.waitForFunction(() => (document.getElementById("badge") as HTMLImageElement).complete);
    return await page.evaluate(() => {
      const img = document.getElementById("badge") as HTMLImageElement;
      const canvas = document.createElement("canvas");
      [canvas.width, canvas.height] = [img.naturalWidth, img.naturalHeight];
      const ctx = canvas.getContext("2d")!;
      if (canvas.width > 0) ctx.drawImage(img, 0, 0);
      const commonest = (x0: number, x1: number) => {
        const counts = new Map<string, number>();
        const { data } = ctx.getImageData(x0, 0, x1 - x0, canvas.height);
        for (let i = 0; i < data.length; i += 4) {
          const key = `rgb(${data[i]}, ${data[i + 1]}, ${data[i + 2]})`;
          counts.set(key, (counts.get(key) ?? 0) + 1);
        }
        return [...counts].sort((a, b) => b[1] - a[1])[0]![0];
      };
      return {
        width: img.naturalWidth,
        height: img.naturalHeight,
        left: canvas.width > 0 ? commonest(0, 3) : "",
        right: canvas.width > 0 ? commonest(canvas.width - 3, canvas.width) : "",
      };
    });
  } finally {
    await context.close();
  }
}

type Read = { title: string; label: string; texts: { text: string; fill: string; fits: boolean }[]; fills: string[] };

/** Opens the SVG itself and reads what a screen reader and a sighted reader get: its title, texts and colours. */
async function readBadge(path: string): Promise<Read> {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const answer = await page.goto(marquee.base + path);
    expect(answer?.headers()["content-type"]).toBe("image/svg+xml");
    return await page.evaluate(() => {
      const svg = document.documentElement as unknown as SVGSVGElement;
      const rects = [...svg.querySelectorAll("rect")];
      const width = svg.width.baseVal.value;
      const labelWidth = rects[1]!.width.baseVal.value;
      const texts = [...svg.querySelectorAll("text")].map((t, i) => {
        // The text's drawn box, in the badge's own pixels (the text is laid out at ten times its size).
        const box = t.getBBox();
        const [from, to] = [box.x / 10, (box.x + box.width) / 10];
        const [start, end] = i === 0 ? [0, labelWidth] : [labelWidth, width];
        return { text: t.textContent ?? "", fill: getComputedStyle(t).fill, fits: from >= start && to <= end };
      });
      return {
        title: svg.querySelector("title")?.textContent ?? "",
        label: svg.getAttribute("aria-label") ?? "",
        texts,
        fills: rects.map((r) => getComputedStyle(r).fill),
      };
    });
  } finally {
    await context.close();
  }
}

describe("badges in a browser", () => {
  test("the page badge loads in an <img>, light and dark alike, and its text stands out from both halves", async () => {
    for (const scheme of ["light", "dark"] as const) {
      const drawn = await drawnBadge("/badge.svg", scheme);
      expect(drawn.width, scheme).toBeGreaterThan(50);
      expect(drawn.height, scheme).toBe(20);
      // Opaque halves in the badge's own colours: the reader's dark or light page does not show through.
      expect([drawn.left, drawn.right], scheme).toEqual([rgb(labelColour), rgb(toneColours.ok)]);
      const read = await readBadge("/badge.svg");
      expect(read.title).toBe("status: all systems operational");
      expect(read.label).toBe(read.title);
      expect(read.texts.map((t) => t.text)).toEqual(["status", "all systems operational"]);
      for (const t of read.texts) expect(t.fits, t.text).toBe(true);
      const [labelText, messageText] = read.texts.map((t) => t.fill);
      expect(contrast(labelText!, drawn.left)).toBeGreaterThanOrEqual(4.5);
      expect(contrast(messageText!, drawn.right)).toBeGreaterThanOrEqual(4.5);
    }
  });

  test("a component's badge shows its new status, readable, once staff change it", async () => {
    const { id } = await marquee.component("tix2");
    await marquee.api("PATCH", `/components/${id}`, { status: "partial_outage" });
    await waitUntil(
      async () => (await (await fetch(`${marquee.base}/badge/tix2.svg`)).text()).includes("partial outage"),
      "the badge shows the outage",
    );
    for (const path of [`/badge/${id}.svg`, "/badge/tix2.svg"]) {
      const read = await readBadge(path);
      expect(read.texts.map((t) => t.text)).toEqual(["tix2", "partial outage"]);
      for (const t of read.texts) expect(t.fits, t.text).toBe(true);
      const drawn = await drawnBadge(path, "dark");
      expect([drawn.left, drawn.right]).toEqual([rgb(labelColour), rgb(toneColours.major)]);
      expect(contrast(read.texts[1]!.fill, drawn.right)).toBeGreaterThanOrEqual(4.5);
      expect(contrast(read.texts[0]!.fill, drawn.left)).toBeGreaterThanOrEqual(4.5);
    }
  });
});
