import type { Deps } from "@/api/services/deps";
import { createMonitorRunner, maintainResults, type MonitorRunnerOptions } from "./runner";

/**
 * The Node runtime's monitors: every second, as many due checks as the concurrency cap leaves room for (a check runs
 * beside readers and the publisher, never in their way: it is I/O, and its result is one small write); every minute,
 * the hourly roll-up and pruning of results. Gives a stop function that waits for checks in flight.
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
  }, 1000);
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
