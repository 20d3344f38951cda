import type { Deps } from "./services/deps";
import { commit, type EffectTarget } from "./services/effects";
import { tick } from "./services/tick";

/** The Node runtime's clock: a tick every few seconds. */
export function startTicker(deps: Deps, target: EffectTarget, log: (m: string) => void) {
  let lastDay: string | null = null;
  const run = async () => {
    lastDay = await commit(target, tick(deps, lastDay));
  };
  return setInterval(() => run().catch((e) => log(`ticker failed: ${e instanceof Error ? e.stack : e}`)), 5_000);
}
