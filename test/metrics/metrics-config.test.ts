import { describe, expect, it } from "vitest";
import { parseConfig } from "@/api/config";

describe("METRICS_TOKEN", () => {
  it("is optional", () => {
    expect(parseConfig({}).metricsToken).toBeUndefined();
  });

  it("is taken when it is long and random", () => {
    const token = "c2a7e1f09b3d4e6a8f1b2c3d4e5f60718293a4b5c6d7e8f9";
    expect(parseConfig({ METRICS_TOKEN: token }).metricsToken).toBe(token);
  });

  it.each(["secret", "a".repeat(40), "abab".repeat(10)])("stops the start when it is guessable (%s)", (token) => {
    expect(() => parseConfig({ METRICS_TOKEN: token })).toThrow(/METRICS_TOKEN/);
  });
});
