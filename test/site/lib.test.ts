import { describe, expect, test } from "vitest";
import { renderMarkdown } from "@/present/markdown";
import { formatDateTime, formatDay, formatMonth, toIso } from "@/present/time";

describe("renderMarkdown", () => {
  test("keeps http(s) and mailto links, marked nofollow", () => {
    expect(renderMarkdown("[a](https://x.test) [b](mailto:ops@x.test)")).toBe(
      '<p><a href="https://x.test" rel="nofollow noopener">a</a> <a href="mailto:ops@x.test" rel="nofollow noopener">b</a></p>\n',
    );
  });

  test("drops links with other schemes", () => {
    for (const url of ["javascript:alert(1)", "data:text/html,x", "vbscript:x", "ftp://x.test", "tel:123"]) {
      expect(renderMarkdown(`[x](${url})`)).not.toContain("<a ");
    }
  });

  test("escapes raw HTML and keeps line breaks", () => {
    expect(renderMarkdown('<iframe src="x"></iframe>\nnext')).toBe(
      "<p>&lt;iframe src=&quot;x&quot;&gt;&lt;/iframe&gt;<br>\nnext</p>\n",
    );
  });

  test("starts headings at h4, below the page's own", () => {
    expect(renderMarkdown("# Cause")).toBe("<h4>Cause</h4>\n");
  });

  test("gives a text's highest heading the level asked for, whatever its number of #, keeping the steps", () => {
    expect(renderMarkdown("## Cause\n### Detail", { topHeading: 3 })).toBe("<h3>Cause</h3>\n<h4>Detail</h4>\n");
    expect(renderMarkdown("# Cause", { topHeading: 4 })).toBe("<h4>Cause</h4>\n");
    expect(renderMarkdown("No heading", { topHeading: 3 })).toBe("<p>No heading</p>\n");
  });
});

describe("time formatting", () => {
  const at = Date.UTC(2026, 10, 25, 15, 20);

  test("uses the page's zone and names it", () => {
    expect(formatDateTime(at, "UTC")).toBe("Nov 25, 2026, 15:20 UTC");
    expect(formatDateTime(at, "Europe/Berlin")).toBe("Nov 25, 2026, 16:20 GMT+1");
    expect(toIso(at)).toBe("2026-11-25T15:20:00.000Z");
  });

  test("falls back to UTC, labelled, for an unknown zone", () => {
    expect(formatDateTime(at, "Nowhere/Atlantis")).toBe("Nov 25, 2026, 15:20 UTC");
  });

  test("names months and days", () => {
    expect(formatMonth("2026-11")).toBe("November 2026");
    expect(formatDay("2026-11-05")).toBe("Nov 5, 2026");
  });
});
