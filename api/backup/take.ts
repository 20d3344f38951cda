import { openForOnePass } from "@/db/node";
import { chmodSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { buildSummary, countRows } from "./snapshot-facts";
import { checksumFile, type Expected, sha256File } from "./verify";

/** `marquee-20261125T120000Z.db`: names sort by time, and the time is read back from them. */
export const backupName = (at: number) =>
  `marquee-${new Date(at)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d+Z$/, "Z")}.db`;

export type Taken = { file: string; size: number; sha256: string; expected: Expected };

/**
 * Copies the live database online with SQLite's backup API. A connection of its own opens one read transaction:
 * the row counts, the summary.json and every page the backup copies are read inside it, so they describe the same
 * snapshot however many writes the server makes meanwhile (WAL lets it write on; this reader keeps its view).
 */
export async function takeBackup(options: {
  dbFile: string;
  dir: string;
  now: number;
  siteUrl?: string;
  /** Runs once the snapshot is read and before its pages are copied (tests write meanwhile). */
  betweenReadAndCopy?: () => Promise<void>;
}): Promise<Taken> {
  mkdirSync(options.dir, { recursive: true, mode: 0o700 });
  const file = join(options.dir, backupName(options.now));
  const partial = `${file}.partial`;
  const source = openForOnePass(options.dbFile, { fileMustExist: true });
  let expected: Expected;
  try {
    source.pragma("busy_timeout = 5000");
    source.exec("BEGIN");
    const counts = countRows(source);
    const summary = await buildSummary(source, options.now, options.siteUrl);
    expected = { counts, summary, now: options.now, siteUrl: options.siteUrl };
    rmSync(partial, { force: true });
    await options.betweenReadAndCopy?.();
    await source.backup(partial);
    source.exec("COMMIT");
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  } finally {
    source.close();
  }
  // One self-contained file (no -wal beside it), private to Marquee's user.
  const copy = openForOnePass(partial);
  copy.pragma("journal_mode = DELETE");
  copy.close();
  chmodSync(partial, 0o600);
  renameSync(partial, file);
  const sha256 = sha256File(file);
  writeFileSync(checksumFile(file), `${sha256}  ${basename(file)}\n`, { mode: 0o600 });
  return { file, size: statSync(file).size, sha256, expected };
}
