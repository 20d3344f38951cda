import { readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { checksumFile } from "./verify";

const day = 86_400_000;
/** Weekly copies are kept this long. */
export const weeklyKeptMs = 61 * day;

/** The time in a backup's name (`marquee-20261125T120000Z.db`), or null for any other file. */
export function timeOfBackup(name: string): number | null {
  const m = /^marquee-(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z\.db$/.exec(name);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : null;
}

/**
 * Which backups to keep: the newest of each of the `keep` most recent days that have one, and the newest of each week
 * (Monday to Sunday, UTC) for two months. Days and weeks are UTC, so the choice never depends on the machine's zone.
 */
export function chooseKept(names: string[], now: number, keep: number): Set<string> {
  const dated = names
    .map((name) => ({ name, at: timeOfBackup(name) }))
    .filter((b): b is { name: string; at: number } => b.at !== null)
    .sort((a, b) => b.at - a.at);
  const kept = new Set<string>();
  const days = new Set<number>();
  const weeks = new Set<number>();
  for (const b of dated) {
    const d = Math.floor(b.at / day);
    if (!days.has(d) && days.size < keep) {
      days.add(d);
      kept.add(b.name);
    }
    // Day 0 (1970-01-01) was a Thursday: shift by 3 so weeks start on Monday.
    const w = Math.floor((d + 3) / 7);
    if (!weeks.has(w) && now - b.at <= weeklyKeptMs) {
      weeks.add(w);
      kept.add(b.name);
    }
  }
  return kept;
}

/** Deletes the backups (and their checksum files) that `chooseKept` lets go. Gives the names deleted. */
export function pruneBackups(dir: string, now: number, keep: number, protect?: string): string[] {
  const names = readdirSync(dir);
  const kept = chooseKept(names, now, keep);
  // A `.partial` a day old is a copy a crash interrupted (a younger one may be another process's backup under way).
  const stale = (n: string) => n.endsWith(".partial") && (timeOfBackup(n.slice(0, -8)) ?? now) < now - day;
  const gone = names.filter((n) => (timeOfBackup(n) !== null && !kept.has(n) && n !== protect) || stale(n));
  for (const name of gone) {
    rmSync(join(dir, name), { force: true });
    rmSync(checksumFile(join(dir, name)), { force: true });
  }
  return gone;
}
