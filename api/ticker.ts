import type { Deps } from "./services/deps";
import { advanceMaintenances } from "./services/maintenances";
import type { Publisher } from "./publish/publisher";
import { dayKey, monthKey, shiftMonth } from "./publish/calendar";
import { loadPage } from "./services/read-model";
import { deleteStaleRateLimits } from "./services/rate-limit";

/** Every few seconds: start and end maintenance windows, wake the sender, refresh day-based pages when the day turns. */
export function startTicker(deps: Deps, publisher: Publisher, notifier: { wake(): void }, log: (m: string) => void) {
  let lastDay = "";
  const tick = async () => {
    const moved = await advanceMaintenances(deps);
    // Also retries what is left in the outbox, e.g. after the provider refused a chunk for a while.
    notifier.wake();
    const page = await loadPage(deps.db);
    const now = deps.clock();
    const today = dayKey(now, page.timeZone);
    if (moved.length > 0 || today !== lastDay) {
      const month = monthKey(now, page.timeZone);
      publisher.touch({
        incidents: moved,
        months: lastDay ? [month, shiftMonth(month, -1)] : [],
      });
      lastDay = today;
      await deleteStaleRateLimits(deps.db, now);
    }
  };
  return setInterval(() => tick().catch((e) => log(`ticker failed: ${e instanceof Error ? e.stack : e}`)), 5_000);
}
