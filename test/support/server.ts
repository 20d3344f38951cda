import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { get, type IncomingHttpHeaders } from "node:http";
import { createServer } from "node:net";

export async function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => ok(port));
    });
    s.on("error", fail);
  });
}

/** Starts the built server (dist/node/server.mjs) as its own process and waits until it is healthy. */
export async function startServer(
  env: Record<string, string>,
): Promise<{ base: string; child: ChildProcess; output: () => string; stop: () => Promise<void> }> {
  return spawnServer([process.execPath, "dist/node/server.mjs"], env);
}

/** `npm start`'s command (package.json): the environment it sets before `node`, and node's arguments. */
export function npmStartCommand(): { env: Record<string, string>; args: string[] } {
  const words = (JSON.parse(readFileSync("package.json", "utf8")).scripts.start as string).split(/\s+/);
  const env: Record<string, string> = {};
  while (/^[A-Z_]+=/.test(words[0]!)) {
    const [name, value] = words.shift()!.split("=");
    env[name!] = value!;
  }
  if (words.shift() !== "node") throw new Error("npm start no longer runs node: update npmStartCommand");
  return { env, args: words };
}

/** The built server as `npm start` runs it (package.json): its node flags, heap limits and environment included. */
export async function startServerAsNpmStart(env: Record<string, string>) {
  const start = npmStartCommand();
  return spawnServer([process.execPath, ...start.args], { ...start.env, ...env });
}

/**
 * How long `wrangler dev` may take to answer: seconds on an idle machine, a minute or more on a busy 2-core one, longer
 * with two test runs side by side. The bound only stops a start that is broken.
 */
export const wranglerStartupMs = 240_000;

type Spawned = { base: string; child: ChildProcess; output: () => string; stop: () => Promise<void> };

/**
 * Runs a command that serves Marquee on PORT (a free port it is given) in its own process group, and waits until
 * /healthz answers 200. `stop` ends the whole group (npm, wrangler and workerd included) and waits for it. A port
 * found free can be taken by another process before the server binds it (two test runs side by side): the server
 * then says so and exits, and it is started again on another port.
 */
export async function spawnServer(
  command: string[],
  env: Record<string, string>,
  timeoutMs = 30_000,
  /** Arguments that give the command its port, for commands that do not read PORT. */
  portArgs: (port: number) => string[] = () => [],
): Promise<Spawned> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await spawnOnce(command, env, timeoutMs, portArgs);
    } catch (error) {
      if (attempt === 3 || !/already in use/i.test((error as Error).message)) throw error;
    }
  }
}

async function spawnOnce(
  [command, ...args]: string[],
  env: Record<string, string>,
  timeoutMs: number,
  portArgs: (port: number) => string[],
): Promise<Spawned> {
  const port = await freePort();
  let output = "";
  const child = spawn(command!, [...args, ...portArgs(port)], {
    env: { ...process.env, ...env, PORT: String(port) },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  // The group, not only its leader: `npm start` exits on SIGTERM while the server it started is still closing (and
  // writing its data directory), so a test that removed that directory once npm was gone raced the server.
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const done = exited(child);
    process.kill(-child.pid!, "SIGTERM");
    const allGone = Promise.all([done, groupGone(child.pid!)]);
    await Promise.race([allGone, new Promise((r) => setTimeout(r, 5_000))]);
    if (groupAlive(child.pid!)) process.kill(-child.pid!, "SIGKILL");
    await done;
    await Promise.race([groupGone(child.pid!), new Promise((r) => setTimeout(r, 5_000))]);
  };
  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (
      await fetch(`${base}/healthz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return { base, child, output: () => output, stop };
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop().catch(() => {});
  throw new Error(`The server did not start:\n${output}`);
}

/** Whether any process of the group led by `pid` is still there (signal 0 checks without signalling). */
function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Resolves once no process of the group is left. */
async function groupGone(pid: number): Promise<void> {
  while (groupAlive(pid)) await new Promise((r) => setTimeout(r, 20));
}

/** Resolves once the process has ended, by an exit code or by a signal (a killed process has no exit code). */
export const exited = (child: ChildProcess) =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise<void>((ok) => child.once("exit", () => ok()));

/** Kills a server outright (a crash) and waits until it is gone, so nothing it does overlaps what follows. */
export async function killed(child: ChildProcess): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await exited(child);
}

/**
 * Removes a test's data directory once its servers are gone. Removing it is housekeeping, not something a test
 * asserts: a directory that still will not go after a few seconds of retries is left to the system's temp cleanup,
 * with a warning, rather than failing the test that used it.
 */
export function removeDataDir(dir: string): void {
  try {
    rmSync(dir, { recursive: true, force: true, maxRetries: 20, retryDelay: 250 });
  } catch (error) {
    console.warn(`left ${dir} behind: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** A GET with exactly these headers (fetch adds an Accept-Encoding of its own), body as sent. */
export function rawGet(url: string, headers: Record<string, string>) {
  return new Promise<{ headers: IncomingHttpHeaders; body: Buffer }>((ok, fail) => {
    get(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => ok({ headers: res.headers, body: Buffer.concat(chunks) }));
    }).on("error", fail);
  });
}
