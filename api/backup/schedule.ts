import type { Deps } from "@/api/services/deps";
import type { EffectTarget } from "@/api/services/effects";
import { lastBackup } from "@/api/services/backups";
import { queueMissingBackupAlert } from "./alert-staff";
import { type BackupSettings, runBackup } from "./run-backup";

export type BackupSchedule = BackupSettings & { intervalMs: number };

/**
 * Takes a backup when the last one (good or failed) is an interval old, or there is none. A failed backup and a gap
 * without a good one are queued as staff alerts (api/services/staff-alerts.ts), and `notifier` is woken to send
 * them. `check` is what the timer calls; tests call it with their own clock. One backup runs at a time.
 */
export function createBackupScheduler(
  deps: Deps,
  dbFile: string,
  schedule: BackupSchedule,
  notifier: EffectTarget["notifier"] | null,
  log: (m: string) => void,
) {
  let running: Promise<void> | null = null;
  const stopping = new AbortController();
  const startedAt = deps.clock();
  /** Outside the one-at-a-time guard, so that a backup that hangs is noticed too. */
  async function watch() {
    const since = (await lastBackup(deps, true))?.takenAt ?? startedAt;
    if (deps.clock() - since <= schedule.intervalMs * 1.5) return;
    const { effects } = await queueMissingBackupAlert(deps, since);
    if (effects.wake) notifier?.wake();
  }
  async function check() {
    const last = await lastBackup(deps);
    if (!last || deps.clock() - last.takenAt >= schedule.intervalMs) {
      const settings = { ...schedule, signal: stopping.signal, notifier: notifier ?? undefined };
      const taken = await runBackup(deps, dbFile, settings);
      if (taken.ok) log(`Backup ${taken.file} taken and checked`);
      else log(`Backup failed: ${taken.reason}`);
    }
  }
  return {
    check(): Promise<void> {
      running ??= check()
        .catch((e) => log(`backup check failed: ${e instanceof Error ? e.stack : e}`))
        .finally(() => (running = null));
      return running;
    },
    watch: () => watch().catch((e) => log(`backup watch failed: ${e instanceof Error ? e.stack : e}`)),
    /** Checks every `everyMs` (at most a minute apart), and once now. Gives the timer's stop. */
    start(everyMs = Math.min(60_000, Math.max(1_000, schedule.intervalMs / 4))) {
      void this.check();
      const timer = setInterval(() => {
        void this.check();
        void this.watch();
      }, everyMs);
      timer.unref();
      return () => {
        clearInterval(timer);
        stopping.abort();
      };
    },
    idle: () => running ?? Promise.resolve(),
  };
}
