import { describe, expect, it } from "vitest";
import { dayKey, dayRange, lastDays, monthKey, monthRange, shiftMonth } from "@/present/calendar";

const iso = (ms: number) => new Date(ms).toISOString();

describe("calendar in the page's time zone", () => {
  it("puts an instant on the day and month its wall clock shows", () => {
    const lateEvening = Date.parse("2026-11-30T23:30:00Z");
    expect(dayKey(lateEvening, "Etc/UTC")).toBe("2026-11-30");
    expect(dayKey(lateEvening, "Europe/Paris")).toBe("2026-12-01");
    expect(monthKey(lateEvening, "Europe/Paris")).toBe("2026-12");
    expect(monthKey(lateEvening, "America/Los_Angeles")).toBe("2026-11");
  });

  it("bounds months and days in local time, across daylight saving changes", () => {
    expect(monthRange("2026-03", "Europe/Paris").map(iso)).toEqual([
      "2026-02-28T23:00:00.000Z",
      "2026-03-31T22:00:00.000Z",
    ]);
    // The day clocks go forward lasts 23 hours.
    const [start, end] = dayRange("2026-03-29", "Europe/Paris");
    expect(end - start).toBe(23 * 3600e3);
  });

  it("steps months across years and lists the last days newest first", () => {
    expect(shiftMonth("2026-01", -1)).toBe("2025-12");
    expect(shiftMonth("2026-12", 1)).toBe("2027-01");
    expect(lastDays(Date.parse("2026-03-01T10:00:00Z"), 3, "Etc/UTC")).toEqual([
      "2026-03-01",
      "2026-02-28",
      "2026-02-27",
    ]);
  });
});
