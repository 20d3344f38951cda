import type { Db } from "@/db/client";
import type { ReminderInterval } from "@/db/schema";
import { loadReminders } from "./maintenance-reminders";
import { loadSeriesIds } from "./maintenance-series";

/** What the staff API adds to a maintenance beyond Statuspage's keys. */
export type MaintenanceExtras = { reminders: ReminderInterval[]; series_id: string | null };

export async function loadMaintenanceExtras(db: Db, ids: readonly string[]): Promise<Map<string, MaintenanceExtras>> {
  const [reminders, series] = await Promise.all([loadReminders(db, ids), loadSeriesIds(db, ids)]);
  return new Map(ids.map((id) => [id, { reminders: reminders.get(id) ?? [], series_id: series.get(id) ?? null }]));
}
