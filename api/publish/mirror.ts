import { spawn } from "node:child_process";
import { basename } from "node:path";
import { type Change, createPublisher, type PublisherOptions } from "./publisher";
import { checkMirrorDir, syncMirror, TrackingStore } from "./mirror-sync";

export type MirrorOptions = Omit<PublisherOptions, "store" | "mirror" | "renderHistory" | "historyOnly"> & {
  /** Where the mirror's own copy is rendered (internal files included); `dir` gets only the public files. */
  stageDir: string;
  dir: string;
  /** What the mirror put in `dir`, kept outside it so the mirror holds nothing but the page. */
  recordFile: string;
  dataDir: string;
  /** Run after each update with `dir` as its last argument, without a shell. */
  command?: string[];
  commandTimeoutMs?: number;
  /** Other directories of Marquee's the mirror must keep out of (the published set). */
  keepOut?: string[];
};

export type MirrorState = { lastOkAt: number | null; readonly lastError: string | null; runs: number };

/**
 * Keeps a static copy of the page in another directory, and runs a command to take it further, after each publish.
 * Publishes that come while an update runs are rendered together and make one more update after it: a burst of
 * writes makes one or two updates, and the server's own publisher never waits for any of it.
 */
export function createMirror(options: MirrorOptions) {
  checkMirrorDir(options.dir, options.dataDir, [options.stageDir, ...(options.keepOut ?? [])]);
  const log = options.log ?? (() => {});
  const stage = new TrackingStore(options.stageDir, 0);
  const publisher = createPublisher({ ...options, store: stage, mirror: { liveUrl: options.siteUrl ?? null } });
  let failure: string | null = null;
  const state: MirrorState = {
    lastOkAt: null,
    runs: 0,
    // A render that fails is retried by the mirror's publisher, and the update waits meanwhile: say so.
    get lastError() {
      const rendering = publisher.state.lastError;
      return failure ?? (rendering ? `rendering the mirror failed: ${rendering}` : null);
    },
  };
  const stopping = new AbortController();
  let requested = false;
  let running: Promise<void> | null = null;

  async function update() {
    await publisher.idle();
    const changed = stage.takeChanged();
    try {
      await syncMirror(stage.root, options.dir, options.recordFile, changed);
    } catch (error) {
      stage.markAllChanged();
      throw error;
    }
    if (options.command) await runCommand(options.command, options.dir, options.commandTimeoutMs, stopping.signal);
  }

  async function run() {
    while (requested && !stopping.signal.aborted) {
      requested = false;
      try {
        await update();
        state.lastOkAt = options.clock();
        failure = null;
      } catch (error) {
        if (stopping.signal.aborted) break;
        failure = error instanceof Error ? error.message : String(error);
        log(`mirror update failed: ${failure}`);
      }
      state.runs++;
    }
    running = null;
  }

  return {
    state,
    /** Renders what `change` touches into the mirror, then brings the mirror directory up to date. */
    touch(change: Change) {
      publisher.touch(change);
      requested = true;
      running ??= run();
    },
    async idle() {
      while (running) await running;
    },
    async stop() {
      stopping.abort();
      await publisher.idle();
      while (running) await running;
    },
  };
}

export type Mirror = ReturnType<typeof createMirror>;

/** The command's own output goes to stderr as it is; Marquee's log names the program and how it ended, no more. */
function runCommand([program, ...args]: string[], dir: string, timeoutMs = 10 * 60_000, signal?: AbortSignal) {
  const name = basename(program!);
  return new Promise<void>((ok, fail) => {
    const child = spawn(program!, [...args, dir], {
      stdio: ["ignore", "ignore", "inherit"],
      timeout: timeoutMs,
      signal,
      killSignal: "SIGKILL",
    });
    child.once("error", (error: NodeJS.ErrnoException) =>
      fail(new Error(`MIRROR_COMMAND (${name}) did not run: ${error.code ?? error.name}`)),
    );
    child.once("exit", (code, sig) => {
      if (code === 0) ok();
      else fail(new Error(`MIRROR_COMMAND (${name}) ${sig ? `was stopped by ${sig}` : `exited with code ${code}`}`));
    });
  });
}
