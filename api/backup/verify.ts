import type Database from "better-sqlite3";
import { openForOnePass } from "@/db/node";
import { createHash } from "node:crypto";
import { existsSync, openSync, readSync, closeSync, readFileSync, statSync } from "node:fs";
import { buildSummary, countRows, countsDiffer } from "./snapshot-facts";

/** What a backup was compared with: the live database's counts and summary, read in the copy's own snapshot. */
export type Expected = { counts: Record<string, number>; summary: string; now: number; siteUrl?: string };

export type Checks = {
  sha256?: "ok" | "no checksum file" | "mismatch";
  integrity?: string;
  foreignKeys?: string;
  counts?: Record<string, number>;
  countsMatch?: boolean;
  drill?: "same summary" | "summary built" | "summary differs";
  copy?: string;
};

export type Verdict = { ok: true; checks: Checks } | { ok: false; reason: string; checks: Checks };

const sqliteHeader = Buffer.from("SQLite format 3\0", "latin1");

/** The SHA-256 of a file, in hex. */
export function sha256File(file: string): string {
  return createHash("sha256").update(readFileSync(file)).digest("hex");
}

/** The checksum file written beside every backup, in `sha256sum` format, so a copy anywhere can be checked. */
export const checksumFile = (file: string) => `${file}.sha256`;

/**
 * Checks a backup file the way a restore would need it: it is whole (the checksum taken with it, the size its header
 * promises), SQLite's integrity and foreign-key checks pass, it is a Marquee database, and a status summary can be
 * built from it read-only. Given `expected`, its row counts and summary must equal the live database's.
 */
export async function verifyBackupFile(file: string, expected?: Expected): Promise<Verdict> {
  const checks: Checks = {};
  const fail = (reason: string): Verdict => ({ ok: false, reason, checks });
  if (!existsSync(file)) return fail(`${file} does not exist`);
  const size = statSync(file).size;
  const head = Buffer.alloc(100);
  const fd = openSync(file, "r");
  const read = readSync(fd, head, 0, 100, 0);
  closeSync(fd);
  if (read < 100 || !head.subarray(0, 16).equals(sqliteHeader))
    return fail("it is not a SQLite database (the file does not start with the SQLite header)");
  const sumFile = checksumFile(file);
  if (existsSync(sumFile)) {
    const recorded = readFileSync(sumFile, "utf8").trim().split(/\s+/)[0];
    if (recorded !== sha256File(file)) {
      checks.sha256 = "mismatch";
      return fail(`the file has changed since the backup was taken (its SHA-256 differs from ${sumFile})`);
    }
    checks.sha256 = "ok";
  } else checks.sha256 = "no checksum file";
  const rawPageSize = head.readUInt16BE(16);
  const pageSize = rawPageSize === 1 ? 65536 : rawPageSize;
  const pages = head.readUInt32BE(28);
  if (pages > 0 && pageSize * pages > size)
    return fail(`the file is truncated: its header promises ${pageSize * pages} bytes, it has ${size}`);

  let sqlite: Database.Database;
  try {
    sqlite = openForOnePass(file, { readonly: true, fileMustExist: true });
  } catch (error) {
    return fail(`SQLite cannot open it: ${(error as Error).message}`);
  }
  try {
    const integrity = sqlite.pragma("integrity_check", { simple: false }) as { integrity_check: string }[];
    checks.integrity = integrity.map((r) => r.integrity_check).join("; ");
    if (checks.integrity !== "ok")
      return fail(`SQLite's integrity check found damage: ${checks.integrity.slice(0, 300)}`);
    const broken = sqlite.pragma("foreign_key_check") as { table: string; parent: string }[];
    checks.foreignKeys = broken.length === 0 ? "ok" : `${broken.length} broken`;
    if (broken.length > 0)
      return fail(`${broken.length} rows of ${broken[0]!.table} point at missing rows of ${broken[0]!.parent}`);
    const counts = countRows(sqlite);
    checks.counts = counts;
    // Migrations are recorded by Drizzle on Node and by wrangler (d1_migrations) on D1.
    if (!("page_settings" in counts) || !("__drizzle_migrations" in counts || "d1_migrations" in counts))
      return fail("it is a SQLite database, but not Marquee's (it has no page_settings or migrations table)");
    if (expected) {
      const differ = countsDiffer(counts, expected.counts);
      checks.countsMatch = differ === null;
      if (differ) return fail(differ);
    }
    const summary = await buildSummary(sqlite, expected?.now ?? Date.now(), expected?.siteUrl);
    if (expected && summary !== expected.summary) {
      checks.drill = "summary differs";
      return fail("restore drill: the summary.json built from the copy differs from the live one");
    }
    checks.drill = expected ? "same summary" : "summary built";
    return { ok: true, checks };
  } catch (error) {
    const { code, message } = error as { code?: string; message: string };
    if (code?.startsWith("SQLITE_CORRUPT") || code === "SQLITE_NOTADB")
      return fail(`the file is damaged: SQLite says "${message}"`);
    return fail(`reading it failed: ${message}`);
  } finally {
    sqlite.close();
  }
}
