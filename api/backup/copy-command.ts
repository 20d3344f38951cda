import { spawn } from "node:child_process";

/**
 * Runs BACKUP_COPY_COMMAND for one file. The path is never put into the command's text: the shell gets it as `$1`
 * (appended as the last argument when the command does not use `$1` or `$@`), so no name can inject anything.
 * Resolves with null on success, else with what went wrong.
 */
export function runCopyCommand(command: string, file: string): Promise<string | null> {
  const script = /\$(1|@|\{1\}|\{@\})/.test(command) ? command : `${command} "$1"`;
  return new Promise((done) => {
    const child = spawn("/bin/sh", ["-c", script, "marquee-backup", file], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-500)));
    child.once("error", (error) => done(`BACKUP_COPY_COMMAND could not start: ${error.message}`));
    child.once("close", (code, signal) =>
      done(
        code === 0
          ? null
          : `BACKUP_COPY_COMMAND failed (${signal ?? `exit ${code}`})${stderr.trim() ? `: ${stderr.trim()}` : ""}`,
      ),
    );
  });
}
