import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import journal from "@/db/migrations/meta/_journal.json";
import { migrationsFolder } from "@/db/node";
import { idempotencyKeys } from "@/db/schema";
import { makeApp, publicDns } from "@/test/support/app";
import {
  type ApiKeyAnswer,
  type CreatedApiKey,
  expectError,
  expectStatus,
  type TestApp,
} from "@/test/support/factories";

let t: TestApp;
beforeEach(async () => {
  t = await makeApp({ resolve: publicDns });
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

describe("upgrading a database that kept secrets for replay", () => {
  it("turns stored answers holding an API key or a webhook secret into secret_not_replayable, and keeps the rest", () => {
    const sqlite = new Database(":memory:");
    const apply = (tag: string) => {
      const sql = readFileSync(join(migrationsFolder, `${tag}.sql`), "utf8");
      for (const statement of sql.split("--> statement-breakpoint")) sqlite.exec(statement);
    };
    const tags = journal.entries.map((e) => e.tag);
    const upgrade = tags.findIndex((tag) => tag.endsWith("_admin_sessions_secrets"));
    for (const tag of tags.slice(0, upgrade)) apply(tag);
    const insert = sqlite.prepare(
      "INSERT INTO idempotency_keys (key, api_key_id, fingerprint, status, body, created_at) VALUES (?, 'k', 'f', ?, ?, 0)",
    );
    insert.run("api-key", 201, JSON.stringify({ id: "abc", key: "mq_abcdefghijkl_0123456789abcdef0123456789abcdef" }));
    insert.run("webhook", 201, JSON.stringify({ id: "def", url: "https://x.example", secret: "whsec_c2VjcmV0" }));
    insert.run("incident", 201, JSON.stringify({ id: "ghi", name: "Webtix down" }));

    apply(tags[upgrade]!);

    const rows = sqlite.prepare("SELECT key, status, body FROM idempotency_keys ORDER BY key").all() as {
      key: string;
      status: number;
      body: string;
    }[];
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain("0123456789abcdef0123456789abcdef");
    expect(stored).not.toContain("whsec_c2VjcmV0");
    expect(rows.map((r) => [r.key, r.status, JSON.parse(r.body).error?.code ?? JSON.parse(r.body).name])).toEqual([
      ["api-key", 409, "secret_not_replayable"],
      ["incident", 201, "Webtix down"],
      ["webhook", 409, "secret_not_replayable"],
    ]);
    sqlite.close();
  });
});
