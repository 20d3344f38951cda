// Long work in the server's one thread (publishing pages, building a fan-out's chunks) gives way to readers between
// its steps. A step that awaits only promises never lets the event loop poll for I/O: it must wait for a later turn.

/** Runs `fn` once the event loop has polled for I/O: setImmediate on Node; a timer where there is none (Workers). */
export const afterIo = (fn: () => void): void => {
  if (typeof setImmediate === "function") setImmediate(fn);
  else setTimeout(fn, 0);
};

/** Resolves on a later turn of the event loop, after the requests waiting for it have been read. */
export const nextTurn = (): Promise<void> => new Promise((resolve) => afterIo(resolve));

/**
 * Turns for work made of steps of different sizes: `next` always waits for a later turn (before a step that takes
 * milliseconds), `whenDue` only once the steps since the last turn have taken `budgetMs`, so small steps share a turn
 * and readers wait about one budget at most.
 */
export function timeSlicer(budgetMs: number, now: () => number = () => performance.now()) {
  let since = now();
  const next = async () => {
    await nextTurn();
    since = now();
  };
  return { next, whenDue: () => (now() - since < budgetMs ? Promise.resolve() : next()) };
}
