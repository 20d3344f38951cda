import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { freePort, startServer } from "@/test/support/server";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function tempDir() {
  const dir = mkdtempSync(join(tmpdir(), "marquee-first-start-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Runs a built command to its end, as `npm run …` does, and returns its exit code and everything it printed. */
function run(file: string, args: string[], env: Record<string, string>) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((ok) => {
    const child = spawn(process.execPath, [file, ...args], { env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.once("exit", (code) => ok({ code, stdout, stderr }));
  });
}
const key = (args: string[], dataDir: string) => run("dist/node/key.mjs", args, { DATA_DIR: dataDir });

describe("a first start on a busy port", () => {
  it("answers one line naming PORT, exits non-zero and creates nothing", async () => {
    const port = await freePort();
    const squatter: Server = createServer();
    await new Promise<void>((ok) => squatter.listen(port, "0.0.0.0", ok));
    cleanups.push(() => new Promise((ok) => squatter.close(ok)));
    const dataDir = join(tempDir(), "data");

    const { code, stdout, stderr } = await run("dist/node/server.mjs", [], { PORT: String(port), DATA_DIR: dataDir });

    expect(code).not.toBe(0);
    expect(stdout).toBe("");
    expect(stderr.trim().split("\n")).toEqual([
      `PORT ${port} is already in use by another program: stop it, or set PORT to a free port`,
    ]);
    expect(existsSync(dataDir)).toBe(false);
  });
});

describe("npm run key", () => {
  it("creates an admin key from the shell that works at once on the running server, and revokes it", async () => {
    const dataDir = tempDir();
    const server = await startServer({ DATA_DIR: dataDir });
    cleanups.push(server.stop);
    const api = (path: string, token: string, init: RequestInit = {}) =>
      fetch(`${server.base}/api/v1${path}`, { ...init, headers: { authorization: `Bearer ${token}` } });

    const created = await key(["create", "Lost my key"], dataDir);
    expect(created.code).toBe(0);
    const token = /^\s+(mq_\S+)$/m.exec(created.stdout)![1]!;
    const id = /\(id (\w+)\)/.exec(created.stdout)![1]!;
    expect((await api("/api-keys", token)).status).toBe(200);

    const listed = await key(["list"], dataDir);
    expect(listed.stdout).toMatch(new RegExp(`^${id}\\s+admin\\s+active\\s+Lost my key$`, "m"));
    expect(listed.stdout).not.toContain(token.split("_").at(-1)!);

    expect((await key(["revoke", id], dataDir)).code).toBe(0);
    expect((await api("/api-keys", token)).status).toBe(401);
  });

  it("makes a key of a narrower scope with --scope, which is refused what it may not do", async () => {
    const dataDir = tempDir();
    const server = await startServer({ DATA_DIR: dataDir });
    cleanups.push(server.stop);
    const created = await key(["create", "Dashboard", "--scope", "read"], dataDir);
    const token = /^\s+(mq_\S+)$/m.exec(created.stdout)![1]!;
    const headers = { authorization: `Bearer ${token}` };
    expect((await fetch(`${server.base}/api/v1/components`, { headers })).status).toBe(200);
    expect((await fetch(`${server.base}/api/v1/api-keys`, { headers })).status).toBe(403);
  });

  it("refuses bad usage, an unknown scope, and a DATA_DIR without a database, saying why", async () => {
    const empty = tempDir();
    expect((await key([], empty)).code).toBe(2);
    expect((await key(["create"], empty)).stderr).toMatch(/^Usage: npm run key/);
    const noDb = await key(["create", "ops"], empty);
    expect(noDb.code).toBe(1);
    expect(noDb.stderr).toMatch(/There is no database at .*marquee\.db/);
    expect(existsSync(join(empty, "marquee.db"))).toBe(false);
    const dataDir = tempDir();
    const server = await startServer({ DATA_DIR: dataDir });
    await server.stop();
    const badScope = await key(["create", "ops", "--scope", "root"], dataDir);
    expect(badScope.code).toBe(1);
    expect(badScope.stderr).toMatch(/--scope must be one of read, write, admin/);
  });
});
