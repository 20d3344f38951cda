import { describe, expect, it } from "vitest";
import { parseConfig } from "@/api/config";

describe("ALLOW_PRIVATE_WEBHOOKS", () => {
  it("is off unless set to true (or 1), and a bad value stops the start naming it", () => {
    expect(parseConfig({}).allowPrivateWebhooks).toBe(false);
    expect(parseConfig({ ALLOW_PRIVATE_WEBHOOKS: "" }).allowPrivateWebhooks).toBe(false);
    expect(parseConfig({ ALLOW_PRIVATE_WEBHOOKS: "false" }).allowPrivateWebhooks).toBe(false);
    expect(parseConfig({ ALLOW_PRIVATE_WEBHOOKS: "true" }).allowPrivateWebhooks).toBe(true);
    expect(parseConfig({ ALLOW_PRIVATE_WEBHOOKS: "1" }).allowPrivateWebhooks).toBe(true);
    expect(() => parseConfig({ ALLOW_PRIVATE_WEBHOOKS: "yes please" })).toThrow(/ALLOW_PRIVATE_WEBHOOKS/);
  });
});
