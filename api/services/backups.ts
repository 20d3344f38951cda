import { and, desc, eq, isNull } from "drizzle-orm";
import { type Backup, backups } from "@/db/schema";
import { newId } from "@/api/ids";
import type { Deps } from "./deps";

export type BackupRecord = Omit<Backup, "id" | "alertedAt">;

/** Records one backup and what checking it found. */
export async function recordBackup(deps: Deps, record: BackupRecord): Promise<Backup> {
  const row = { id: newId(), alertedAt: null, ...record };
  await deps.db.insert(backups).values(row);
  return row;
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

/** Failed backups the staff have not been told about yet. */
export function unalertedFailures(deps: Deps): Promise<Backup[]> {
  return deps.db
    .select()
    .from(backups)
    .where(and(eq(backups.ok, false), isNull(backups.alertedAt)))
    .orderBy(backups.takenAt);
}

export async function markAlerted(deps: Deps, id: string, at: number): Promise<void> {
  await deps.db.update(backups).set({ alertedAt: at }).where(eq(backups.id, id));
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
