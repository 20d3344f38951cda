import { desc, eq } from "drizzle-orm";
import { runAtomically } from "@/db/client";
import { type Backup, backups } from "@/db/schema";
import { newId } from "@/api/ids";
import type { Deps } from "./deps";
import { type Written, written } from "./effects";
import { staffAlertStatements, type StaffAlertInput } from "./staff-alerts";

export type BackupRecord = Omit<Backup, "id" | "alertedAt">;

/**
 * Records one backup and what checking it found. A failed one queues its staff alert (`alertFor`) in the same write,
 * so the staff hear of it once even if the server stops right after.
 */
export async function recordBackup(
  deps: Deps,
  record: BackupRecord,
  alertFor?: (backup: Backup) => StaffAlertInput,
): Promise<Written<Backup>> {
  const now = deps.clock();
  const alert = record.ok ? undefined : alertFor;
  const row: Backup = { id: newId(), alertedAt: alert ? now : null, ...record };
  await runAtomically(deps.db, [
    deps.db.insert(backups).values(row),
    ...(alert ? staffAlertStatements(deps.db, alert(row), now) : []),
  ]);
  return written(row, { wake: alert !== undefined });
}

/** The newest backups first. */
export function listBackups(deps: Deps, limit = 50): Promise<Backup[]> {
  return deps.db.select().from(backups).orderBy(desc(backups.takenAt)).limit(limit);
}

export async function lastBackup(deps: Deps, onlyGood = false): Promise<Backup | null> {
  const [row] = await deps.db
    .select()
    .from(backups)
    .where(onlyGood ? eq(backups.ok, true) : undefined)
    .orderBy(desc(backups.takenAt))
    .limit(1);
  return row ?? null;
}

/** How the last backup stands, as the console and /healthz show it. */
export type BackupHealth = {
  last: Backup | null;
  lastGoodAt: number | null;
  /** Missing, failed, or older than one and a half intervals. */
  bad: boolean;
  reason: string | null;
};

export async function backupHealth(deps: Deps, intervalMs: number): Promise<BackupHealth> {
  const last = await lastBackup(deps);
  const good = last?.ok ? last : await lastBackup(deps, true);
  const lastGoodAt = good?.takenAt ?? null;
  let reason: string | null = null;
  if (!last) reason = "No backup has been taken yet";
  else if (!last.ok) reason = `The last backup failed: ${last.reason}`;
  else if (deps.clock() - last.takenAt > intervalMs * 1.5) reason = "The last backup is older than 1.5 intervals";
  return { last, lastGoodAt, bad: reason !== null, reason };
}
