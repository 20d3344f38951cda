import { chmodSync, existsSync, mkdirSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

/**
 * DATA_DIR holds what no other local user may read: the database (API key hashes, the keys that sign console sessions
 * and subscribers' links, subscribers' addresses) and the development outbox (emails with their links). Marquee's
 * own user alone gets in: the folder 0700, the files 0600. The Node entry sets the umask for what is created later;
 * this fixes what an earlier version, or an operator's mkdir, left open. A DATA_DIR readable by others is tightened
 * (not only warned about): under it every file is out of reach, whatever its own mode.
 */
export function securePrivateDataDir(dir: string, log: (m: string) => void): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  tighten(dir, 0o700, log, "DATA_DIR");
  for (const name of ["marquee.db", "marquee.db-wal", "marquee.db-shm", "marquee.db-journal"]) {
    tighten(join(dir, name), 0o600, log);
  }
  for (const sub of ["outbox", "site"]) tighten(join(dir, sub), 0o700, log);
  const outbox = join(dir, "outbox");
  if (existsSync(outbox)) for (const name of readdirSync(outbox)) tighten(join(outbox, name), 0o600, () => {});
}

function tighten(path: string, mode: number, log: (m: string) => void, label = path): void {
  if (!existsSync(path)) return;
  const was = statSync(path).mode & 0o777;
  if ((was & ~mode) === 0) return;
  const octal = (m: number) => `0${m.toString(8)}`;
  try {
    chmodSync(path, mode);
    log(`${label} (${path}) was open to other users (${octal(was)}); it is now ${octal(mode)}`);
  } catch (error) {
    log(
      `Warning: ${label} (${path}) is open to other users (${octal(was)}) and could not be changed ` +
        `(${(error as Error).message}): run \`chmod ${mode.toString(8)} ${path}\``,
    );
  }
}
