import type { Deps } from "./services/deps";
import { commit, type EffectTarget } from "./services/effects";
import { tick } from "./services/tick";

/**
 * The Node runtime's clock: a tick at start, then every few seconds. The first tick knows no day yet, so it
 * republishes the pages that count days; run at start, that joins the start's own publish instead of coming as a
 * second one a few seconds later, possibly in the middle of the first fan-out.
 */
export function startTicker(deps: Deps, target: EffectTarget, log: (m: string) => void) {
  let lastDay: string | null = null;
  const run = () =>
    commit(target, tick(deps, lastDay)).then(
      (day) => void (lastDay = day),
      (e: unknown) => log(`ticker failed: ${e instanceof Error ? e.stack : e}`),
    );
  void run();
  return setInterval(() => void run(), 5_000);
}
