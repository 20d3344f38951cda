import { describe, expect, it } from "vitest";
import { MissingSetting } from "@/worker/env";
import { startFailure } from "@/worker/start-failure";

describe("the worker's answer while it cannot start", () => {
  it("tells the public only that it is not configured, and the log what is missing", async () => {
    const lines: string[] = [];
    const setting = new MissingSetting("The secret ADMIN_API_KEY is not set: run `wrangler secret put ADMIN_API_KEY`");
    const res = startFailure(setting, (line) => lines.push(line));
    expect(res.status).toBe(503);
    const body = await res.text();
    expect(JSON.parse(body)).toEqual({ error: { code: "unavailable", message: "Marquee is not configured yet" } });
    expect(body).not.toMatch(/ADMIN_API_KEY|wrangler/);
    expect(lines).toEqual([
      "Marquee cannot start: The secret ADMIN_API_KEY is not set: run `wrangler secret put ADMIN_API_KEY`",
    ]);
  });

  it("keeps an unexpected error's message out of the answer too", async () => {
    const lines: string[] = [];
    const res = startFailure(new Error("D1_ERROR: no such table: api_keys at /srv/x"), (line) => lines.push(line));
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: { code: "internal_error", message: "Marquee cannot start" } });
    expect(lines[0]).toContain("no such table: api_keys");
  });
});
