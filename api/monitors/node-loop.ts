import type { Deps } from "@/api/services/deps";
import { createMonitorRunner, maintainResults, type MonitorRunnerOptions } from "./runner";

/**
 * The Node runtime's monitors: every tenth of a second, the checks that have come due, as many as the concurrency cap
 * leaves room for. Checks run beside readers and the publisher: each is I/O and one small write, and asking ten times
 * a second keeps them as spread as their schedule (asked once a second, 500 monitors every 30 s came due in bursts of
 * 17 whose writes held readers up: `/`'s p99 doubled). Every minute, the hourly roll-up and pruning of results. Gives a stop function that waits for checks in flight.
 */
export function startMonitors(options: MonitorRunnerOptions & Deps) {
  const log = options.log ?? (() => {});
  const runner = createMonitorRunner(options);
  const failed = (what: string) => (e: unknown) => log(`${what} failed: ${e instanceof Error ? e.stack : e}`);
  let busy = false;
  const checks = setInterval(() => {
    // One query for due monitors at a time: a slow disk must not pile them up.
    if (busy) return;
    busy = true;
    runner
      .runDue()
      .catch(failed("monitor scheduling"))
      .finally(() => (busy = false));
  }, 100);
  const upkeep = setInterval(
    () =>
      maintainResults(options)
        .then((rolled) => rolled && options.target.publisher.touch({}))
        .catch(failed("monitor results upkeep")),
    60_000,
  );
  return async () => {
    clearInterval(checks);
    clearInterval(upkeep);
    await runner.idle();
  };
}
