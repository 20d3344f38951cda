import { describe, expect, it } from "vitest";
import { parseConfig } from "@/api/config";

describe("CHAT_CONCURRENCY", () => {
  it("defaults to 16 and takes 1 to 256", () => {
    expect(parseConfig({}).chatConcurrency).toBe(16);
    expect(parseConfig({ CHAT_CONCURRENCY: "4" }).chatConcurrency).toBe(4);
  });

  it("a bad value stops the start with a message that names the variable", () => {
    for (const value of ["0", "1000", "many"])
      expect(() => parseConfig({ CHAT_CONCURRENCY: value })).toThrow(/CHAT_CONCURRENCY/);
  });
});
