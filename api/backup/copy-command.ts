import { spawn } from "node:child_process";

/**
 * Runs BACKUP_COPY_COMMAND for one file. The path is never put into the command's text: the shell gets it as `$1`
 * (appended as the last argument when the command does not use `$1` or `$@`), so no name can inject anything.
 * A command still running after `timeoutMs` is killed with everything it started (its own process group).
 * Resolves with null on success, else with what went wrong.
 */
export function runCopyCommand(
  command: string,
  file: string,
  timeoutMs = 3_600_000,
  stop?: AbortSignal,
): Promise<string | null> {
  const stopped = "the server stopped before BACKUP_COPY_COMMAND finished";
  if (stop?.aborted) return Promise.resolve(stopped);
  const script = /\$(1|@|\{1\}|\{@\})/.test(command) ? command : `${command} "$1"`;
  return new Promise((done) => {
    const child = spawn("/bin/sh", ["-c", script, "marquee-backup", file], {
      stdio: ["ignore", "ignore", "pipe"],
      detached: true,
    });
    let timedOut = false;
    const kill = () => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // Already gone.
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, timeoutMs);
    stop?.addEventListener("abort", kill, { once: true });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-500)));
    child.once("error", (error) => {
      clearTimeout(timer);
      done(`BACKUP_COPY_COMMAND could not start: ${error.message}`);
    });
    child.once("close", (code, signal) => {
      clearTimeout(timer);
      stop?.removeEventListener("abort", kill);
      if (stop?.aborted) done(stopped);
      else if (timedOut) done(`BACKUP_COPY_COMMAND did not finish within ${Math.round(timeoutMs / 1000)} s`);
      else if (code === 0) done(null);
      else done(`BACKUP_COPY_COMMAND failed (${signal ?? `exit ${code}`})${stderr.trim() ? `: ${stderr.trim()}` : ""}`);
    });
  });
}
