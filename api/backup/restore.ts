import { chmodSync, copyFileSync, existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { runningServer } from "./server-lock";
import { verifyBackupFile } from "./verify";

/**
 * Replaces DATA_DIR's database with a backup: only a backup that passes the checks, only while no server runs on
 * DATA_DIR. The replaced database (with a -wal a crash left) is kept beside it; the published pages, made from the
 * replaced data, are dropped so the next start publishes everything from the restored data.
 */
export async function restoreBackup(
  file: string,
  dataDir: string,
  now = Date.now(),
): Promise<{ replaced: string | null }> {
  const verdict = await verifyBackupFile(file);
  if (!verdict.ok) throw new Error(`Not restoring ${file}: ${verdict.reason}`);
  const pid = runningServer(dataDir);
  if (pid !== null)
    throw new Error(`Not restoring: a Marquee server (process ${pid}) is running on ${dataDir}; stop it first`);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const live = join(dataDir, "marquee.db");
  let replaced: string | null = null;
  if (existsSync(live)) {
    replaced = `${live}.replaced-${new Date(now)
      .toISOString()
      .replace(/[-:]/g, "")
      .replace(/\.\d+Z$/, "Z")}`;
    renameSync(live, replaced);
    for (const suffix of ["-wal", "-shm"]) if (existsSync(live + suffix)) renameSync(live + suffix, replaced + suffix);
  }
  copyFileSync(file, live);
  chmodSync(live, 0o600);
  rmSync(join(dataDir, "site"), { recursive: true, force: true });
  return { replaced };
}
