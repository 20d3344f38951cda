import { existsSync } from "node:fs";
import { join } from "node:path";
import { parseConfig } from "@/api/config";
import { openNodeDb } from "@/db/node";
import { runBackup } from "./run-backup";
import { verifyBackupFile } from "./verify";

// `npm run backup`: takes a backup now (online: a running server keeps serving), checks it, copies it with
// BACKUP_COPY_COMMAND, records it. `npm run backup -- --verify FILE`: checks a backup file anywhere.
// Either way the exit status says whether the file is good.
process.umask(0o077);
const args = process.argv.slice(2);
try {
  const verifyAt = args.indexOf("--verify");
  if (verifyAt !== -1) {
    const file = args[verifyAt + 1];
    if (!file) throw new Error("Usage: npm run backup -- --verify FILE");
    const verdict = await verifyBackupFile(file);
    if (!verdict.ok) {
      console.error(`${file} is not a usable backup: ${verdict.reason}`);
      process.exit(1);
    }
    const rows = Object.values(verdict.checks.counts ?? {}).reduce((a, b) => a + b, 0);
    console.log(
      `${file} is good: checksum ${verdict.checks.sha256}, integrity ok, foreign keys ok, ${rows} rows, ` +
        "a status summary builds from it",
    );
  } else {
    const config = parseConfig(process.env);
    const dbFile = join(config.dataDir, "marquee.db");
    if (!existsSync(dbFile)) throw new Error(`There is no database at ${dbFile}: start Marquee once, or set DATA_DIR`);
    const { db, close } = openNodeDb(dbFile);
    const backup = await runBackup({ db, clock: Date.now, siteUrl: config.siteUrl }, dbFile, config.backup);
    close();
    if (!backup.ok) {
      console.error(`Backup failed: ${backup.reason}`);
      process.exit(1);
    }
    console.log(`${backup.file}\nBackup taken and checked: ${backup.size} bytes, SHA-256 ${backup.sha256}`);
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
