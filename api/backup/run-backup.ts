import { rmSync } from "node:fs";
import { join } from "node:path";
import type { Backup } from "@/db/schema";
import type { Deps } from "@/api/services/deps";
import { type BackupRecord, recordBackup } from "@/api/services/backups";
import type { EffectTarget } from "@/api/services/effects";
import { loadPage } from "@/api/services/read-model";
import { backupFailedAlert } from "./alert-staff";
import { runCopyCommand } from "./copy-command";
import { pruneBackups } from "./retention";
import { backupName, takeBackup } from "./take";
import { checksumFile, verifyBackupFile } from "./verify";

/** `copyTimeoutMs`: how long the copy command may run (default: an hour). */
export type BackupSettings = {
  dir: string;
  keep: number;
  copyCommand?: string;
  copyTimeoutMs?: number;
  /** Stops a copy command under way (the server is stopping). */
  signal?: AbortSignal;
  /** Woken when a failed backup queued its staff alert; without one (the CLI), the server's next tick sends it. */
  notifier?: EffectTarget["notifier"];
};

/**
 * Takes one backup, checks it against the live database, copies it off the machine when asked, records the outcome
 * and lets old copies go. Never throws: a failure is a recorded backup with its reason.
 */
export async function runBackup(deps: Deps, dbFile: string, settings: BackupSettings): Promise<Backup> {
  const now = deps.clock();
  const started = performance.now();
  const base = { takenAt: now, file: join(settings.dir, backupName(now)), size: 0, sha256: "" };
  const duration = () => Math.round(performance.now() - started);
  let taken;
  try {
    taken = await takeBackup({ dbFile, dir: settings.dir, now, siteUrl: deps.siteUrl });
  } catch (error) {
    const reason = `taking the backup failed: ${(error as Error).message}`;
    return record(deps, { ...base, durationMs: duration(), ok: false, reason, checks: "{}" }, settings);
  }
  const verdict = await verifyBackupFile(taken.file, taken.expected);
  let reason = verdict.ok ? null : verdict.reason;
  // A copy that failed its checks would only mislead a restore, and could crowd a good one out of the retention.
  if (!verdict.ok) for (const f of [taken.file, checksumFile(taken.file)]) rmSync(f, { force: true });
  if (verdict.ok && settings.copyCommand) {
    reason = await runCopyCommand(settings.copyCommand, taken.file, settings.copyTimeoutMs, settings.signal);
    verdict.checks.copy = reason ?? "ok";
  }
  const { counts, ...checks } = verdict.checks;
  const recorded = await record(
    deps,
    {
      takenAt: now,
      file: taken.file,
      size: taken.size,
      sha256: taken.sha256,
      durationMs: duration(),
      ok: reason === null,
      reason,
      checks: JSON.stringify({ ...checks, rows: counts }),
    },
    settings,
  );
  pruneBackups(settings.dir, now, settings.keep, taken.file);
  return recorded;
}

/** Records the outcome; a failure queues the staff alert in the same write, and wakes the sender. */
async function record(deps: Deps, outcome: BackupRecord, settings: BackupSettings): Promise<Backup> {
  const page = await loadPage(deps.db, deps.siteUrl);
  const { value, effects } = await recordBackup(deps, outcome, (backup) => backupFailedAlert(page, backup));
  // A backup changes no page: waking the senders is its only effect.
  if (effects.wake) settings.notifier?.wake();
  return value;
}
