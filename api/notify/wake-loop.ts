/**
 * Runs `drain` when woken, never twice at once: a wake that arrives while it runs makes it run once more when it
 * ends, so nothing queued in between waits for the next wake. An error ends the run and is logged; the next wake
 * (every tick at the latest) starts over.
 */
export function createWakeLoop(name: string, drain: () => Promise<void>, log: (message: string) => void) {
  let running: Promise<void> | null = null;
  let wokenWhileRunning = false;

  function wake() {
    if (running) {
      wokenWhileRunning = true;
      return;
    }
    running = drain()
      .catch((error) => log(`${name} stopped on an error, will resume at the next wake: ${error?.stack ?? error}`))
      .finally(() => {
        running = null;
        if (wokenWhileRunning) {
          wokenWhileRunning = false;
          wake();
        }
      });
  }

  return {
    wake,
    /** Resolves when the loop has nothing left to do (or waits for a wake). */
    async idle() {
      while (running) await running;
    },
  };
}
