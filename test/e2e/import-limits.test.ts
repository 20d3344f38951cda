import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { maxImportBytes } from "@/api/app";
import { maxImportRows } from "@/api/schemas";
import { startServerAsNpmStart } from "@/test/support/server";

const adminKey = "import-test-admin-key-0123-vq7w2kx9";
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe("a subscriber import at the documented limits", () => {
  it.each([
    ["already confirmed", true],
    ["each queued a confirmation email in the same write", false],
  ])(
    "imports 50,000 rows with every component in a body just under 8 MB, within npm start's heap: %s",
    async (_, skipConfirmation) => {
      const dataDir = mkdtempSync(join(tmpdir(), "marquee-import-"));
      cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
      const server = await startServerAsNpmStart({ DATA_DIR: dataDir, ADMIN_API_KEY: adminKey });
      cleanups.push(() => server.stop());
      const api = (method: string, path: string, body?: string) =>
        fetch(`${server.base}/api/v1${path}`, {
          method,
          headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" },
          body,
        });

      const components = ((await (await api("GET", "/components")).json()) as { id: string }[]).map((c) => c.id);
      expect(components).toHaveLength(7);
      // Addresses padded so that the body fills the limit: the most rows and bytes the API admits.
      const row = (i: number, pad: number) => ({ email: `subscriber-${i}-${"x".repeat(pad)}@example.com`, components });
      const bodyOf = (pad: number) =>
        JSON.stringify({
          subscribers: Array.from({ length: maxImportRows }, (_, i) => row(i, pad)),
          skip_confirmation: skipConfirmation,
        });
      const perRowBytes = bodyOf(0).length / maxImportRows;
      const body = bodyOf(Math.floor((maxImportBytes - 4096) / maxImportRows - perRowBytes));
      expect(body.length).toBeLessThanOrEqual(maxImportBytes);
      expect(body.length).toBeGreaterThan(maxImportBytes - 100_000);

      const res = await api("POST", "/subscribers/import", body);
      expect(res.status, server.output()).toBe(200);
      expect(await res.json()).toMatchObject({ created: maxImportRows, invalid: [], merged: 0 });
      expect(server.child.exitCode).toBeNull();
      const list = (await (await api("GET", "/subscribers?limit=1")).json()) as {
        total: number;
        subscribers: { components: string[]; status: string }[];
      };
      expect(list.total).toBe(maxImportRows);
      expect(list.subscribers[0]!.components.sort()).toEqual([...components].sort());
      expect(list.subscribers[0]!.status).toBe(skipConfirmation ? "active" : "unconfirmed");
    },
    120_000,
  );
});
