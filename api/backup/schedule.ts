import type { Deps } from "@/api/services/deps";
import { lastBackup } from "@/api/services/backups";
import { alertMissing, alertStaff, type StaffAlerts } from "./alert-staff";
import { type BackupSettings, runBackup } from "./run-backup";

export type BackupSchedule = BackupSettings & { intervalMs: number };

/**
 * Takes a backup when the last one (good or failed) is an interval old, or there is none, then tells the staff about
 * failures. `check` is what the timer calls; tests call it with their own clock. One backup runs at a time.
 */
export function createBackupScheduler(
  deps: Deps,
  dbFile: string,
  schedule: BackupSchedule,
  alerts: StaffAlerts | null,
  log: (m: string) => void,
) {
  let running: Promise<void> | null = null;
  const stopping = new AbortController();
  const startedAt = deps.clock();
  let missingToldFor: number | null = null;
  /** Outside the one-at-a-time guard, so that a backup that hangs is noticed too. */
  async function watch() {
    if (!alerts) return;
    const since = (await lastBackup(deps, true))?.takenAt ?? startedAt;
    if (deps.clock() - since <= schedule.intervalMs * 1.5 || missingToldFor === since) return;
    if (await alertMissing(deps, alerts, since, log)) missingToldFor = since;
  }
  async function check() {
    const last = await lastBackup(deps);
    if (!last || deps.clock() - last.takenAt >= schedule.intervalMs) {
      const taken = await runBackup(deps, dbFile, { ...schedule, signal: stopping.signal });
      if (taken.ok) log(`Backup ${taken.file} taken and checked`);
      else log(`Backup failed: ${taken.reason}`);
    }
    if (alerts) await alertStaff(deps, alerts, log);
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
