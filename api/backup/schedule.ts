import type { Deps } from "@/api/services/deps";
import { lastBackup } from "@/api/services/backups";
import { alertStaff, type StaffAlerts } from "./alert-staff";
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
  async function check() {
    const last = await lastBackup(deps);
    if (!last || deps.clock() - last.takenAt >= schedule.intervalMs) {
      const taken = await runBackup(deps, dbFile, schedule);
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
    /** Checks every `everyMs` (at most a minute apart), and once now. Gives the timer's stop. */
    start(everyMs = Math.min(60_000, Math.max(1_000, schedule.intervalMs / 4))) {
      void this.check();
      const timer = setInterval(() => void this.check(), everyMs);
      timer.unref();
      return () => clearInterval(timer);
    },
    idle: () => running ?? Promise.resolve(),
  };
}
