// Long work in the server's one thread (publishing pages, building a fan-out's chunks) gives way to readers between
// its steps. A step that awaits only promises never lets the event loop poll for I/O: it must wait for a later turn.

/** Runs `fn` once the event loop has polled for I/O: setImmediate on Node; a timer where there is none (Workers). */
export const afterIo = (fn: () => void): void => {
  if (typeof setImmediate === "function") setImmediate(fn);
  else setTimeout(fn, 0);
};

/** Resolves on a later turn of the event loop, after the requests waiting for it have been read. */
export const nextTurn = (): Promise<void> => new Promise((resolve) => afterIo(resolve));
