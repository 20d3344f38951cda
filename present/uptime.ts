import { componentStatuses } from "@/db/vocabulary";
import type { DayUptime } from "./views";

/** Share of tracked time the component was up, in percent with 2 decimals. Maintenance counts as up, as on Statuspage. */
export function uptimePercent(days: readonly DayUptime[]): number {
  let up = 0;
  let tracked = 0;
  for (const { seconds } of days) {
    up += seconds.operational + seconds.under_maintenance;
    for (const s of componentStatuses) tracked += seconds[s];
  }
  return tracked === 0 ? 100 : Math.round((up / tracked) * 10_000) / 100;
}
