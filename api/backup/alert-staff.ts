import type { Backup } from "@/db/schema";
import type { Deps } from "@/api/services/deps";
import type { Written } from "@/api/services/effects";
import { loadPage } from "@/api/services/read-model";
import { queueStaffAlert, type StaffAlertInput } from "@/api/services/staff-alerts";
import type { PageInfo } from "@/present/views";

const minute = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace("T", " ");

/** The staff alert of a failed backup, queued in the same write that records it (api/services/backups.ts). */
export function backupFailedAlert(page: PageInfo, backup: Pick<Backup, "id" | "takenAt" | "reason" | "file">) {
  return {
    key: `backup-failed-${backup.id}`,
    kind: "backup_failed",
    subject: `[${page.name}] Backup failed`,
    text: [
      `The backup of ${page.name}'s status page taken at ${new Date(backup.takenAt).toISOString()} failed:`,
      "",
      `  ${backup.reason}`,
      "",
      `File: ${backup.file}`,
      "Run `npm run backup` on the server to try again; GET /api/v1/backups lists every backup and its checks.",
    ].join("\n"),
    link: `${page.url}/admin`,
  } satisfies StaffAlertInput;
}

/**
 * Queues the alert that no good backup was taken for 1.5 intervals (a copy command that hangs, a scheduler that
 * stopped). `since` is the last good backup's time, or when the server started; it is in the alert's key, so each gap
 * is told once however often the clock looks, and a restart does not tell again of a gap since a good backup.
 */
export async function queueMissingBackupAlert(deps: Deps, since: number): Promise<Written<boolean>> {
  const page = await loadPage(deps.db, deps.siteUrl);
  return queueStaffAlert(deps, {
    key: `backup-missing-${since}`,
    kind: "backup_missing",
    subject: `[${page.name}] No backup since ${minute(since)} UTC`,
    text: [
      `No good backup of ${page.name}'s status page has been taken since ${new Date(since).toISOString()}.`,
      "",
      "Look at the server's log and GET /api/v1/backups; `npm run backup` takes one now and says what goes wrong.",
    ].join("\n"),
    link: `${page.url}/admin`,
  });
}
