import { settleDueHeartbeats } from "@/api/heartbeats/settle";
import { dayKey, monthKey, shiftMonth } from "@/present/calendar";
import type { Deps } from "./deps";
import { type Written, written } from "./effects";
import { advanceMaintenances } from "./maintenances";
import { sendDueReminders } from "./maintenance-reminders";
import { makeDueOccurrences } from "./maintenance-series";
import { deleteStaleRateLimits } from "./rate-limit";
import { loadPage } from "./read-model";

/**
 * One tick of the clock, the same on both runtimes (Node every few seconds, the Workers cron every minute):
 * recurring maintenances get their next occurrence, maintenance windows start and end, reminders of maintenances
 * about to start are queued (api/services/maintenance-reminders.ts), the outbox is retried (a provider may have
 * refused a chunk for a while), and once the day has turned since `lastDay` the pages that count days (the front
 * page, recent months) are republished and expired rate-limit rows go. Heartbeats whose deadline passed turn down (api/heartbeats/settle.ts). `lastDay`
 * null means the caller keeps no memory between ticks. Gives today's key.
 */
export async function tick(deps: Deps, lastDay: string | null): Promise<Written<string>> {
  const { value: made } = await makeDueOccurrences(deps);
  const { value: started } = await advanceMaintenances(deps);
  await sendDueReminders(deps);
  const moved = [...made, ...started];
  const now = deps.clock();
  const { timeZone } = await loadPage(deps.db);
  const today = dayKey(now, timeZone);
  const dayTurned = today !== lastDay;
  if (dayTurned) await deleteStaleRateLimits(deps.db, now);
  const month = monthKey(now, timeZone);
  const months = dayTurned ? [month, shiftMonth(month, -1)] : [];
  const beats = (await settleDueHeartbeats(deps)).effects.publish;
  const incidents = beats?.incidents ? [...moved, ...beats.incidents] : moved;
  const publish = incidents.length > 0 || dayTurned || beats ? { incidents, months } : undefined;
  return written(today, { publish, wake: true });
}
