import Database from "better-sqlite3";
import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { takeBackup } from "@/api/backup/take";
import { makeDeps } from "@/test/support/deps";
import { startServer } from "@/test/support/server";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Runs a built command (`npm run backup` / `npm run restore` run these files) and gives its exit status and output. */
function run(script: "backup" | "restore", args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, [`dist/node/${script}.mjs`, ...args], {
    env: { ...process.env, ...env },
    encoding: "utf8",
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

async function aBackup() {
  const env = await makeDeps();
  cleanups.push(env.cleanup);
  const taken = await takeBackup({
    dbFile: join(env.dir, "marquee.db"),
    dir: join(env.dir, "backups"),
    now: env.clock(),
  });
  return { ...taken, dir: env.dir };
}

describe("npm run backup -- --verify FILE", () => {
  it("accepts a good backup", async () => {
    const { file } = await aBackup();
    const answer = run("backup", ["--verify", file]);
    expect(answer.stderr).toBe("");
    expect(answer.status).toBe(0);
    expect(answer.stdout).toContain("is good: checksum ok, integrity ok, foreign keys ok");
  });

  it("refuses a file with flipped bytes, with or without its checksum file beside it", async () => {
    const { file, dir } = await aBackup();
    const bytes = readFileSync(file);
    const pageSize = bytes.readUInt16BE(16);
    // A byte of data in the middle: only the checksum sees it.
    const flipped = Buffer.from(bytes);
    flipped[Math.floor(bytes.length / 2)]! ^= 0xff;
    writeFileSync(file, flipped);
    const byChecksum = run("backup", ["--verify", file]);
    expect(byChecksum.status).toBe(1);
    expect(byChecksum.stderr).toContain("is not a usable backup: the file has changed since the backup was taken");

    // The page structure itself: SQLite's own checks see it.
    const bare = join(dir, "bare.db");
    const broken = Buffer.from(bytes);
    for (let i = pageSize; i < pageSize + 12; i++) broken[i]! ^= 0x5a;
    writeFileSync(bare, broken);
    const byIntegrity = run("backup", ["--verify", bare]);
    expect(byIntegrity.status).toBe(1);
    expect(byIntegrity.stderr).toMatch(
      /is not a usable backup: (the file is damaged|SQLite's integrity check found damage)/,
    );
  });

  it("refuses a truncated file, saying how much is missing", async () => {
    const { file, dir } = await aBackup();
    const cut = join(dir, "cut.db");
    copyFileSync(file, cut);
    truncateSync(cut, Math.floor(readFileSync(file).length / 2));
    const answer = run("backup", ["--verify", cut]);
    expect(answer.status).toBe(1);
    expect(answer.stderr).toMatch(/the file is truncated: its header promises \d+ bytes, it has \d+/);
  });

  it("refuses a file that is not SQLite, and a SQLite database that is not Marquee's", async () => {
    const dir = mkdtempSync(join(tmpdir(), "marquee-foreign-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const text = join(dir, "notes.db");
    writeFileSync(text, "these are not the rows you are looking for\n".repeat(10));
    const notSqlite = run("backup", ["--verify", text]);
    expect(notSqlite.status).toBe(1);
    expect(notSqlite.stderr).toContain("it is not a SQLite database");

    const other = join(dir, "other.db");
    const db = new Database(other);
    db.exec("create table songs (title text); insert into songs values ('Ticket to Ride')");
    db.close();
    const foreign = run("backup", ["--verify", other]);
    expect(foreign.status).toBe(1);
    expect(foreign.stderr).toContain("it is a SQLite database, but not Marquee's");

    expect(run("backup", ["--verify", join(dir, "missing.db")]).stderr).toContain("does not exist");
    const nothing = run("backup", [], { DATA_DIR: join(dir, "empty") });
    expect(nothing.status).toBe(1);
    expect(nothing.stderr).toContain("There is no database at");
  });
});

describe("npm run backup and npm run restore with a server", () => {
  it("backs up online, refuses to restore while the server runs, restores when it is stopped, and the next start publishes the restored data", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "marquee-restore-"));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const adminKey = "mq_" + "7f3a9c1e5b2d8f4a6c0e9b7d3f1a5c8e";
    const env = { DATA_DIR: dataDir, ADMIN_API_KEY: adminKey, BACKUP_INTERVAL: "24h" };
    const api = (base: string, method: string, path: string, body?: unknown) =>
      fetch(`${base}${path}`, {
        method,
        headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    const tix1Status = async (base: string) => {
      const summary = (await (await fetch(`${base}/api/v2/summary.json`)).json()) as {
        components: { name: string; status: string }[];
      };
      return summary.components.find((c) => c.name === "tix1")!.status;
    };

    let server = await startServer(env);
    cleanups.push(() => server.stop());
    const taken = run("backup", [], env);
    expect(taken.stderr).toBe("");
    expect(taken.status).toBe(0);
    const file = taken.stdout.split("\n")[0]!;
    expect(existsSync(file)).toBe(true);
    expect(taken.stdout).toContain("Backup taken and checked");

    const components = (await (await api(server.base, "GET", "/api/v1/components")).json()) as {
      id: string;
      name: string;
    }[];
    const tix1 = components.find((c) => c.name === "tix1")!;
    expect((await api(server.base, "PATCH", `/api/v1/components/${tix1.id}`, { status: "major_outage" })).status).toBe(
      200,
    );
    await expect.poll(() => tix1Status(server.base)).toBe("major_outage");

    const refused = run("restore", [file], env);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/Not restoring: a Marquee server \(process \d+\) is running on/);

    await server.stop();
    const restored = run("restore", [file], env);
    expect(restored.stderr).toBe("");
    expect(restored.status).toBe(0);
    expect(readdirSync(dataDir).some((f) => f.startsWith("marquee.db.replaced-"))).toBe(true);

    server = await startServer(env);
    expect(await tix1Status(server.base)).toBe("operational");
    await server.stop();

    const refusedBad = run("restore", [join(dataDir, "nothing.db")], env);
    expect(refusedBad.status).toBe(1);
    expect(refusedBad.stderr).toContain("Not restoring");
  });
});
