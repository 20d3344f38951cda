import { afterEach, describe, expect, it } from "vitest";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startServer } from "@/test/support/server";
import { waitUntil } from "@/test/support/wait";

const adminKey = "data-dir-test-admin-key-0123-vq7w2kx9";
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const modeOf = (path: string) => `0${(statSync(path).mode & 0o777).toString(8)}`;

describe("DATA_DIR after a real start", () => {
  it("is its user's alone: folders 0700, database, -wal, -shm and outbox emails 0600, an old 0755 folder tightened", async () => {
    const parent = mkdtempSync(join(tmpdir(), "marquee-modes-"));
    cleanups.push(() => rmSync(parent, { recursive: true, force: true }));
    // As an earlier version (or an operator's mkdir under umask 022) left it: open to every local user.
    const dataDir = join(parent, "data");
    mkdirSync(join(dataDir, "outbox"), { recursive: true });
    writeFileSync(join(dataDir, "outbox", "old.eml"), "From: x\r\n\r\nold\r\n");
    chmodSync(dataDir, 0o755);
    chmodSync(join(dataDir, "outbox"), 0o755);
    chmodSync(join(dataDir, "outbox", "old.eml"), 0o644);

    const server = await startServer({ DATA_DIR: dataDir, ADMIN_API_KEY: adminKey, RESEND_API_KEY: "", SMTP_URL: "" });
    cleanups.push(() => server.stop());
    // A confirmation email: the development transport writes it to DATA_DIR/outbox.
    const subscribed = await fetch(`${server.base}/subscribe`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "reader@example.org" }),
    });
    expect(subscribed.status, server.output()).toBeLessThan(300);
    const outbox = join(dataDir, "outbox");
    const emails = await waitUntil(() => {
      const fresh = readdirSync(outbox).filter((f) => f.endsWith(".eml") && f !== "old.eml");
      return fresh.length > 0 ? fresh : null;
    }, "the confirmation email in the outbox");

    expect(modeOf(dataDir)).toBe("0700");
    expect(modeOf(outbox)).toBe("0700");
    expect(modeOf(join(dataDir, "site"))).toBe("0700");
    for (const file of ["marquee.db", "marquee.db-wal", "marquee.db-shm"]) {
      expect([file, modeOf(join(dataDir, file))]).toEqual([file, "0600"]);
    }
    for (const email of [...emails, "old.eml"]) expect([email, modeOf(join(outbox, email))]).toEqual([email, "0600"]);
    expect(server.output()).toMatch(/DATA_DIR \(.*\) was open to other users \(0755\); it is now 0700/);
    // Counts only: no recipient's address in the log.
    expect(server.output()).not.toContain("reader@example.org");
  }, 60_000);
});
