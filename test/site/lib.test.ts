import { describe, expect, test, vi } from "vitest";
import MarkdownIt from "markdown-it";
import { keepRendered, renderMarkdown } from "@/present/markdown";
import { formatDateTime, formatDay, formatMonth, isoInZone, toIso, wallClock } from "@/present/time";

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

describe("renderMarkdown's kept HTML", () => {
  test("renders a body once however many pages and emails show it, and the same HTML each time", () => {
    const render = vi.spyOn(MarkdownIt.prototype, "render");
    try {
      const body = "Since **14:05** tix1 is down.\n\n- Sell with Wintix";
      const first = renderMarkdown(body);
      for (let i = 0; i < 5; i++) expect(renderMarkdown(body)).toBe(first);
      expect(render.mock.calls.filter(([text]) => text === body)).toHaveLength(1);
      expect(first).toContain("<strong>14:05</strong>");
    } finally {
      render.mockRestore();
    }
  });

  test("keepRendered renders a new body once, ahead of the pages that show it, and says so only the first time", () => {
    const render = vi.spyOn(MarkdownIt.prototype, "render");
    try {
      const body = "Since **15:10** the box office is slow.\n\n- Use tix2";
      expect(keepRendered(body)).toBe(true);
      expect(keepRendered(body)).toBe(false);
      expect(renderMarkdown(body)).toContain("<strong>15:10</strong>");
      expect(render.mock.calls.filter(([text]) => text === body)).toHaveLength(1);
    } finally {
      render.mockRestore();
    }
  });

  test("keeps within its budget: old bodies are forgotten and rendered again, bodies too large are never kept", () => {
    const render = vi.spyOn(MarkdownIt.prototype, "render");
    try {
      const old = "an old update, rendered first";
      renderMarkdown(old);
      // 1,500 bodies of 1 KB: more than the budget holds.
      for (let i = 0; i < 1500; i++) renderMarkdown(`update ${i} `.padEnd(1000, "x"));
      const huge = "y".repeat(200_000);
      renderMarkdown(huge);
      renderMarkdown(huge);
      const before = render.mock.calls.length;
      expect(renderMarkdown(old)).toBe("<p>an old update, rendered first</p>\n");
      expect(render.mock.calls.length).toBe(before + 1);
      expect(render.mock.calls.filter(([text]) => text === huge)).toHaveLength(2);
    } finally {
      render.mockRestore();
    }
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
    // Kept words are the same words, asked again or after thousands of other days.
    expect(formatDay("2026-11-05")).toBe("Nov 5, 2026");
    for (let i = 0; i < 5000; i++)
      formatDay(new Date(Date.UTC(2000, 0, 1) + i * 86_400_000).toISOString().slice(0, 10));
    expect(formatDay("2026-11-05")).toBe("Nov 5, 2026");
    expect(formatDay("not a day")).toBe("not a day");
  });
});

describe("wall clock in a zone", () => {
  // The oracle: Intl asked for every instant, field by field.
  const fields = ["year", "month", "day", "hour", "minute", "second"] as const;
  const intl = (timeZone: string) =>
    new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      ...Object.fromEntries(fields.map((f) => [f, "numeric"])),
    });
  const byIntl = (f: Intl.DateTimeFormat, ms: number) => {
    const p = Object.fromEntries(f.formatToParts(ms).map((x) => [x.type, Number(x.value)]));
    return { year: p.year, month: p.month, day: p.day, hour: p.hour! % 24, minute: p.minute, second: p.second };
  };

  test("agrees with Intl second by second across clock changes, including half-hour and 45-minute zones", () => {
    const cases: [string, number][] = [
      ["America/New_York", Date.UTC(2026, 2, 8, 7)], // 02:00 EST → 03:00 EDT
      ["America/New_York", Date.UTC(2026, 10, 1, 6)], // 02:00 EDT → 01:00 EST
      ["Europe/Berlin", Date.UTC(2026, 2, 29, 1)],
      ["Australia/Lord_Howe", Date.UTC(2026, 3, 4, 15)], // a 30-minute change at 02:00 local
      ["Australia/Lord_Howe", Date.UTC(2026, 9, 3, 15, 30)], // half past a UTC hour
      ["America/St_Johns", Date.UTC(2026, 2, 8, 5, 30)], // 02:00 NST → 03:00 NDT, half past a UTC hour
      ["Pacific/Chatham", Date.UTC(2026, 3, 4, 14)], // +13:45 → +12:45
      ["Asia/Kathmandu", Date.UTC(2026, 0, 1)],
      ["UTC", Date.UTC(2026, 5, 1)],
    ];
    for (const [zone, transition] of cases) {
      const f = intl(zone);
      // Every 7 minutes through two days around the change, then each second of the minutes beside it.
      const instants: number[] = [];
      for (let t = transition - 86_400_000; t < transition + 86_400_000; t += 7 * 60_000 + 137) instants.push(t);
      for (let t = transition - 120_000; t < transition + 120_000; t += 1000) instants.push(t, t + 999);
      for (const ms of instants)
        expect(wallClock(ms, zone), `${zone} ${new Date(ms).toISOString()}`).toEqual(byIntl(f, ms));
    }
  });

  test("gives ISO times in the offset of the instant, on both sides of a change", () => {
    expect(isoInZone(Date.UTC(2026, 2, 8, 6, 59, 59, 5), "America/New_York")).toBe("2026-03-08T01:59:59.005-05:00");
    expect(isoInZone(Date.UTC(2026, 2, 8, 7, 0, 0, 0), "America/New_York")).toBe("2026-03-08T03:00:00.000-04:00");
    expect(isoInZone(Date.UTC(2026, 3, 4, 14, 59, 59), "Australia/Lord_Howe")).toBe("2026-04-05T01:59:59.000+11:00");
    expect(isoInZone(Date.UTC(2026, 3, 4, 15, 0, 0), "Australia/Lord_Howe")).toBe("2026-04-05T01:30:00.000+10:30");
  });
});
