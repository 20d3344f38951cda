import { openForOnePass } from "@/db/node";
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { backupName } from "./take";
import { checksumFile, sha256File, verifyBackupFile } from "./verify";

// `npm run worker:backup`: a copy of the Workers build's D1 database, checked like the Node server's backups.
// With --remote, `wrangler d1 export marquee --remote` writes SQL, which is loaded into a scratch SQLite file;
// without it, the local D1 of `npm run worker:dev` (WORKER_STATE_DIR, default data/worker) is copied with SQLite's
// backup API. Either way the result is a SQLite file in BACKUP_DIR (default ./backups) that
// `npm run backup -- --verify` and `npm run restore` understand.
process.umask(0o077);
const remote = process.argv.includes("--remote");
const dir = resolve(process.env.BACKUP_DIR || "backups");
const file = join(dir, backupName(Date.now()).replace(/^marquee-/, "marquee-d1-"));
try {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (remote) {
    const sql = `${file}.sql`;
    const exported = spawnSync(
      resolve("node_modules/.bin/wrangler"),
      ["d1", "export", process.env.D1_DATABASE_NAME || "marquee", "--remote", "--output", sql],
      { stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, WRANGLER_SEND_METRICS: "false" } },
    );
    if (exported.status !== 0) throw new Error("wrangler d1 export failed (see above)");
    const scratch = openForOnePass(file);
    // The export lists tables in its own order: foreign keys are checked once everything is in.
    scratch.pragma("foreign_keys = OFF");
    scratch.exec(readFileSync(sql, "utf8"));
    scratch.close();
    rmSync(sql);
  } else {
    const state = join(resolve(process.env.WORKER_STATE_DIR || "data/worker"), "v3/d1/miniflare-D1DatabaseObject");
    const local = existsSync(state)
      ? readdirSync(state).filter((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite")
      : [];
    if (local.length !== 1)
      throw new Error(`No local D1 database in ${state}: run \`npm run worker:dev\` once, or pass --remote`);
    const source = openForOnePass(join(state, local[0]!), { fileMustExist: true });
    await source.backup(file);
    source.close();
    const copy = openForOnePass(file);
    copy.pragma("journal_mode = DELETE");
    copy.close();
  }
  chmodSync(file, 0o600);
  writeFileSync(checksumFile(file), `${sha256File(file)}  ${basename(file)}\n`, { mode: 0o600 });
  const verdict = await verifyBackupFile(file);
  if (!verdict.ok) throw new Error(`The D1 backup ${file} failed its checks: ${verdict.reason}`);
  console.log(`${file}\nD1 backup taken and checked: integrity ok, foreign keys ok, a status summary builds from it`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
