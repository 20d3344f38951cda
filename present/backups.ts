import type { Backup } from "@/db/schema";

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A backup as GET /api/v1/backups lists it: its file's name (not the server's paths), what was checked, the result. */
export function presentBackup(b: Backup) {
  return {
    id: b.id,
    taken_at: iso(b.takenAt),
    file: b.file.split("/").pop() ?? b.file,
    size: b.size,
    sha256: b.sha256,
    duration_ms: b.durationMs,
    ok: b.ok,
    reason: b.reason,
    checks: JSON.parse(b.checks) as Record<string, unknown>,
    alerted_at: iso(b.alertedAt),
  };
}

/** The last backup as the console shows it. `bad`: missing, failed, or older than one and a half intervals. */
export type BackupSummary = {
  takenAt: number | null;
  file: string | null;
  ok: boolean;
  bad: boolean;
  reason: string | null;
};
