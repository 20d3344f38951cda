import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { idempotencyKeys } from "@/db/schema";
import { makeApp } from "@/test/support/app";
import {
  type ApiKeyAnswer,
  type CreatedApiKey,
  expectError,
  expectStatus,
  type TestApp,
} from "@/test/support/factories";

let t: TestApp;
beforeEach(async () => {
  t = await makeApp();
});
afterEach(async () => {
  await t.cleanup();
});

const storedAnswers = async () => JSON.stringify(await t.deps.db.select().from(idempotencyKeys));

describe("secrets are never kept for an idempotent replay", () => {
  it("replaying POST /api-keys answers 409 secret_not_replayable with the key's id, and no key", async () => {
    const headers = { "idempotency-key": "new-key-1" };
    const first = await expectStatus<CreatedApiKey>(
      await t.call("POST", "/api/v1/api-keys", { name: "deploy bot", scopes: ["write"] }, { headers }),
      201,
    );
    const secret = first.key.split("_").at(-1)!;

    const replay = await t.call("POST", "/api/v1/api-keys", { name: "deploy bot", scopes: ["write"] }, { headers });
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    const text = await replay.clone().text();
    expect(text).not.toContain(secret);
    expect(text).not.toContain("mq_");
    const error = await expectError(replay, 409, "secret_not_replayable");
    expect(error).toMatchObject({ details: { id: first.id } });

    // One key was made, and the database holds no trace of its secret outside its hash.
    const keys = await expectStatus<ApiKeyAnswer[]>(await t.call("GET", "/api/v1/api-keys"), 200);
    expect(keys.filter((k) => k.name === "deploy bot")).toHaveLength(1);
    expect(await storedAnswers()).not.toContain(secret);
  });

  it("a webhook's signing secret is not kept either", async () => {
    const headers = { "idempotency-key": "hook-1" };
    const body = { url: "https://hooks.example.com/marquee" };
    const first = await expectStatus<{ id: string; secret: string }>(
      await t.call("POST", "/api/v1/webhooks", body, { headers }),
      201,
    );
    expect(first.secret.length).toBeGreaterThan(16);

    const replay = await t.call("POST", "/api/v1/webhooks", body, { headers });
    expect(await replay.clone().text()).not.toContain(first.secret);
    expect(await expectError(replay, 409, "secret_not_replayable")).toMatchObject({ details: { id: first.id } });
    expect(await storedAnswers()).not.toContain(first.secret);
  });

  it("answers without a secret are still replayed whole", async () => {
    const headers = { "idempotency-key": "incident-1" };
    const first = await expectStatus(
      await t.call("POST", "/api/v1/incidents", { name: "Webtix down" }, { headers }),
      201,
    );
    const replay = await expectStatus(
      await t.call("POST", "/api/v1/incidents", { name: "Webtix down" }, { headers }),
      201,
    );
    expect(replay).toEqual(first);
  });
});
