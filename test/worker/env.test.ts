import { describe, expect, it } from "vitest";
import { MissingSetting, readWorkerConfig, type Env } from "@/worker/env";

// Only what readWorkerConfig looks at: a binding with prepare().
const db = { prepare: () => ({}) } as unknown as D1Database;
const complete: Env = { DB: db, ADMIN_API_KEY: "a-worker-admin-key-0123-vq7w2kx9", RESEND_API_KEY: "re_123" };

describe("the worker's settings", () => {
  it("names the missing binding or secret and where it is set", () => {
    const missing = (env: Env) => {
      try {
        readWorkerConfig(env);
      } catch (error) {
        expect(error).toBeInstanceOf(MissingSetting);
        return (error as Error).message;
      }
      throw new Error("no error");
    };
    expect(missing({ ...complete, DB: undefined })).toMatch(/D1 binding DB .*wrangler\.toml/);
    expect(missing({ ...complete, ADMIN_API_KEY: undefined })).toMatch(
      /ADMIN_API_KEY.*wrangler secret put ADMIN_API_KEY/,
    );
    expect(missing({ ...complete, RESEND_API_KEY: undefined })).toMatch(/RESEND_API_KEY/);
    expect(missing({ ...complete, ADMIN_API_KEY: "short" })).toMatch(/ADMIN_API_KEY must be at least 32 characters/);
    expect(missing({ ...complete, ADMIN_API_KEY: "a".repeat(40) })).toMatch(/ADMIN_API_KEY uses too few different/);
    expect(missing({ ...complete, SITE_URL: "ftp://x" })).toMatch(/SITE_URL/);
  });

  it("reads ALLOW_PRIVATE_WEBHOOKS, off unless set", () => {
    expect(readWorkerConfig(complete).allowPrivateWebhooks).toBe(false);
    expect(readWorkerConfig({ ...complete, ALLOW_PRIVATE_WEBHOOKS: "true" }).allowPrivateWebhooks).toBe(true);
  });

  it("reads a complete configuration; email is printed only when asked for", () => {
    const config = readWorkerConfig({ ...complete, SITE_URL: "https://status.example.com/", RESEND_RATE_LIMIT: "5" });
    expect(config.siteUrl).toBe("https://status.example.com");
    expect(config.email).toEqual({ kind: "resend", apiKey: "re_123", baseUrl: undefined, rateLimit: 5 });
    expect(readWorkerConfig({ ...complete, RESEND_API_KEY: undefined, EMAIL_TRANSPORT: "log" }).email).toEqual({
      kind: "log",
    });
  });
});
