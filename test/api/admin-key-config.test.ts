import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseConfig } from "@/api/config";
import { openNodeDeps } from "@/api/node-runtime";
import { authenticate } from "@/api/services/api-keys";
import { auditLog } from "@/db/schema";

const strongKey = "3f9c2a7e81d04b6c95e7a1f0c8d2b4e6";
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const configError = (key: string) => {
  try {
    parseConfig({ ADMIN_API_KEY: key });
  } catch (error) {
    return (error as Error).message;
  }
  return null;
};

describe("ADMIN_API_KEY", () => {
  it("must be a random key: short, one repeated character, a repeated pattern or mostly one character are refused", () => {
    expect(configError("aaaaaaaaaaaaaaaa")).toMatch(/ADMIN_API_KEY must be at least 32 characters.*openssl rand/);
    expect(configError("a".repeat(64))).toMatch(/ADMIN_API_KEY uses too few different characters/);
    expect(configError("abcd1234".repeat(5))).toMatch(/ADMIN_API_KEY is a short pattern repeated/);
    expect(configError(`${"a".repeat(33)}b1234567`)).toMatch(/ADMIN_API_KEY is too predictable/);
    expect(configError(strongKey)).toBeNull();
    expect(configError("mq_Vb3xQ9-kLr2TzW7nPq4sHd8yFj1cMe6u")).toBeNull();
  });

  it("stops working once the variable is removed and the server restarted; a new admin key is printed", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "marquee-admin-key-"));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const start = async (env: Record<string, string>) => {
      const lines: string[] = [];
      const opened = await openNodeDeps(parseConfig({ DATA_DIR: dataDir, ...env }), (m) => lines.push(m));
      cleanups.push(opened.close);
      return { ...opened, lines };
    };

    const first = await start({ ADMIN_API_KEY: strongKey });
    expect((await authenticate(first.deps, strongKey)).scopes).toEqual(["admin"]);
    first.close();

    const second = await start({});
    await expect(authenticate(second.deps, strongKey)).rejects.toMatchObject({ code: "unauthorized" });
    expect(second.lines.join("\n")).toContain("ADMIN_API_KEY is no longer set");
    const printed = /mq_[a-z0-9]{12}_[0-9a-f]+/.exec(second.lines.join("\n"))?.[0];
    expect((await authenticate(second.deps, printed)).scopes).toEqual(["admin"]);
    // Both are in the audit log, made by Marquee itself.
    const rows = await second.deps.db.select().from(auditLog);
    expect(rows.map((r) => [r.actorKind, r.actorName, r.action, r.resourceType, r.resourceId])).toEqual([
      ["system", "ADMIN_API_KEY removed", "revoke", "api_key", "configured"],
      ["system", "first start", "create", "api_key", expect.stringMatching(/^[a-z0-9]{12}$/)],
    ]);
    second.close();

    // Set again, it works again.
    const third = await start({ ADMIN_API_KEY: strongKey });
    expect((await authenticate(third.deps, strongKey)).scopes).toEqual(["admin"]);
  });
});
