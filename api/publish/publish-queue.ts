/**
 * What a write changed. Page-wide documents are republished after every change. `resume` (at start) republishes what
 * changed since the last publish recorded in the store, or everything when the renderer or page settings differ.
 */
export type Change = {
  incidents?: string[];
  deleted?: { id: string; startedAt: number }[];
  months?: string[];
  everything?: boolean;
  resume?: boolean;
};

export type Pending = Required<Change>;
export const emptyChange = (): Pending => ({
  incidents: [],
  deleted: [],
  months: [],
  everything: false,
  resume: false,
});

export type PublishState = {
  ready: boolean;
  historyRendering: boolean;
  publishedAt: number | null;
  lastError: string | null;
  publishes: number;
};

/**
 * Runs one publish at a time. Changes that arrive while a publish runs are merged and published together right
 * after, so a burst of writes costs one or two publishes, and a write never waits for one. A failed publish is never
 * lost: its change goes back in the queue and is tried again, waiting longer each time.
 */
export function createPublishQueue(options: {
  clock: () => number;
  log: (message: string) => void;
  /** Publishes one (merged) change; `more` tells whether other changes are already waiting. */
  publish(change: Pending, more: () => boolean): Promise<void>;
  /** Give up after this many failed attempts at one change (the export does; the server never does). */
  maxAttempts?: number;
}) {
  let pending: Pending | null = null;
  let running: Promise<void> | null = null;
  let failures = 0;
  // Touches counted, and how many of them a finished publish attempt covered: what `settled` waits on.
  let touched = 0;
  let attempted = 0;
  const waiters: { through: number; resolve: () => void }[] = [];
  const attemptedThrough = (through: number) => {
    attempted = Math.max(attempted, through);
    for (let i = waiters.length - 1; i >= 0; i--) {
      if (waiters[i]!.through <= attempted) waiters.splice(i, 1)[0]!.resolve();
    }
  };
  const state: PublishState = {
    ready: false,
    historyRendering: false,
    publishedAt: null,
    lastError: null,
    publishes: 0,
  };

  function merge(change: Change) {
    const p = (pending ??= emptyChange());
    p.incidents.push(...(change.incidents ?? []));
    p.deleted.push(...(change.deleted ?? []));
    p.months.push(...(change.months ?? []));
    p.everything ||= change.everything ?? false;
    p.resume ||= change.resume ?? false;
  }

  async function run() {
    await new Promise((resolve) => setTimeout(resolve, 1));
    while (pending) {
      const change = pending;
      pending = null;
      const through = touched;
      try {
        await options.publish(change, () => pending !== null);
        attemptedThrough(through);
        failures = 0;
        state.publishedAt = options.clock();
        state.lastError = null;
        state.publishes++;
      } catch (error) {
        failures++;
        state.lastError = error instanceof Error ? error.message : String(error);
        options.log(`publish failed (attempt ${failures}): ${error instanceof Error ? error.stack : error}`);
        attemptedThrough(through);
        if (failures >= (options.maxAttempts ?? Infinity)) break;
        merge(change);
        await new Promise((resolve) => setTimeout(resolve, Math.min(30_000, 250 * 2 ** failures)));
      }
    }
    running = null;
  }

  return {
    touch(change: Change) {
      touched++;
      merge(change);
      running ??= run();
    },
    /**
     * Resolves once every change touched so far has had a publish attempt, successful or not. Unlike `idle`, a stream
     * of later writes does not hold it; and a publisher that keeps failing (its error is on /healthz) holds it for
     * one attempt only, so what waits on it (emails) is never held for good.
     */
    settled(): Promise<void> {
      if (attempted >= touched) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ through: touched, resolve }));
    },
    /** Resolves once everything touched so far is published (or has failed and is waiting to retry). */
    async idle() {
      while (running) await running;
    },
    state,
  };
}
