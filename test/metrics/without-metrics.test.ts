import { afterEach, describe, expect, it } from "vitest";
import { makeApp } from "@/test/support/app";
import { expectError } from "@/test/support/factories";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

describe("an app that keeps no metrics (the Workers runtime)", () => {
  it("answers /metrics 404 with a message saying where metrics are served", async () => {
    const t = await makeApp();
    cleanups.push(t.cleanup);
    const error = await expectError(await t.call("GET", "/metrics", undefined, { scope: "read" }), 404, "not_found");
    expect(error.message).toMatch(/Node server only/);
  });
});
