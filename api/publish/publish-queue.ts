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
      try {
        await options.publish(change, () => pending !== null);
        failures = 0;
        state.publishedAt = options.clock();
        state.lastError = null;
        state.publishes++;
      } catch (error) {
        failures++;
        state.lastError = error instanceof Error ? error.message : String(error);
        options.log(`publish failed (attempt ${failures}): ${error instanceof Error ? error.stack : error}`);
        if (failures >= (options.maxAttempts ?? Infinity)) break;
        merge(change);
        await new Promise((resolve) => setTimeout(resolve, Math.min(30_000, 250 * 2 ** failures)));
      }
    }
    running = null;
  }

  return {
    touch(change: Change) {
      merge(change);
      running ??= run();
    },
    /** Resolves once everything touched so far is published (or has failed and is waiting to retry). */
    async idle() {
      while (running) await running;
    },
    state,
  };
}
