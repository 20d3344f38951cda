import { describe, expect, it } from "vitest";
import { alertMove } from "@/api/alerts/alert-order";

const firing = (startsAt: number) => ({ status: "firing" as const, startsAt });
const resolved = (startsAt: number) => ({ status: "resolved" as const, startsAt });

describe("what a delivered alert means, given the last one recorded", () => {
  it("first news: a firing fires, a resolution is only recorded", () => {
    expect(alertMove(undefined, firing(10))).toBe("fire");
    expect(alertMove(undefined, resolved(10))).toBe("record");
  });
  it("while firing: a repeat or an older firing is ignored, a later start is recorded", () => {
    expect(alertMove(firing(10), firing(10))).toBe("ignore");
    expect(alertMove(firing(10), firing(5))).toBe("ignore");
    expect(alertMove(firing(10), firing(20))).toBe("record");
  });
  it("while firing: its resolution (or a later one) resolves; an older firing's resolution does not", () => {
    expect(alertMove(firing(10), resolved(10))).toBe("resolve");
    expect(alertMove(firing(10), resolved(20))).toBe("resolve");
    expect(alertMove(firing(10), resolved(5))).toBe("ignore");
  });
  it("once resolved: its own late firing is ignored, a new firing fires", () => {
    expect(alertMove(resolved(10), firing(10))).toBe("ignore");
    expect(alertMove(resolved(10), firing(5))).toBe("ignore");
    expect(alertMove(resolved(10), firing(20))).toBe("fire");
    expect(alertMove(resolved(10), resolved(10))).toBe("ignore");
    expect(alertMove(resolved(10), resolved(20))).toBe("record");
  });
});
