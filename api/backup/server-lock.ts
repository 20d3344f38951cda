import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** Written by a running server, removed when it stops: `npm run restore` refuses while it names a live process. */
export const serverPidFile = (dataDir: string) => join(dataDir, "marquee.pid");

/** The id of the server running on this DATA_DIR, or null. A pid file left by a crash names no live process. */
export function runningServer(dataDir: string): number | null {
  const file = serverPidFile(dataDir);
  if (!existsSync(file)) return null;
  const pid = Number(readFileSync(file, "utf8").trim());
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM" ? pid : null;
  }
}
