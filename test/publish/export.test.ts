import { afterEach, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { openIncident } from "@/api/services/incidents";
import { makeDeps } from "@/test/support/deps";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

/** Runs the bundle `npm run export` runs (`npm test` builds it first) over the database in `dataDir`. */
async function runExport(dataDir: string, out: string) {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, ["dist/node/export.mjs", out], {
      env: { ...process.env, DATA_DIR: dataDir },
    });
    return { code: 0, stdout, stderr: "" };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

async function withDatabase() {
  const env = await makeDeps();
  const out = mkdtempSync(join(tmpdir(), "marquee-export-"));
  cleanups.push(() => (env.cleanup(), rmSync(out, { recursive: true, force: true })));
  await openIncident(env.deps, { name: "tix1 is down", status: "resolved", components: {}, notify: false });
  return { env, out };
}

describe("npm run export's target directory", () => {
  it("refuses DATA_DIR itself, with a readable error and a non-zero exit, and deletes nothing", async () => {
    const { env } = await withDatabase();
    const run = await runExport(env.dir, env.dir);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("holds Marquee's database");
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(env.dir, "marquee.db"))).toBe(true);
  });

  it("refuses a directory that holds the database further down", async () => {
    const { env } = await withDatabase();
    const run = await runExport(env.dir, join(env.dir, ".."));
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("holds Marquee's database");
    expect(existsSync(join(env.dir, "marquee.db"))).toBe(true);
  });

  it("refuses a non-empty directory it did not write, keeping its files", async () => {
    const { env, out } = await withDatabase();
    writeFileSync(join(out, "notes.txt"), "mine");
    const run = await runExport(env.dir, out);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("not written by an earlier export");
    expect(readFileSync(join(out, "notes.txt"), "utf8")).toBe("mine");
    expect(existsSync(join(out, "index.html"))).toBe(false);
  });

  it("replaces an earlier export, but not when someone added a file to it", async () => {
    const { env, out } = await withDatabase();
    const target = join(out, "site");
    expect((await runExport(env.dir, target)).code).toBe(0);
    expect(existsSync(join(target, ".marquee-export.json"))).toBe(true);
    expect(existsSync(join(target, "index.html"))).toBe(true);
    expect((await runExport(env.dir, target)).code).toBe(0);
    expect(existsSync(join(target, "index.html"))).toBe(true);

    mkdirSync(join(target, "extra"));
    writeFileSync(join(target, "extra", "keep.html"), "not the export's");
    const run = await runExport(env.dir, target);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain("extra/keep.html was not written by the export");
    expect(readFileSync(join(target, "extra", "keep.html"), "utf8")).toBe("not the export's");
    expect(existsSync(join(target, "index.html"))).toBe(true);
  });
});

describe("npm run export", () => {
  it("writes every page of a paginated month, with its compressed siblings", async () => {
    const env = await makeDeps();
    const out = mkdtempSync(join(tmpdir(), "marquee-export-"));
    cleanups.push(() => (env.cleanup(), rmSync(out, { recursive: true, force: true })));
    for (let i = 0; i < 60; i++) {
      env.clock.set(Date.parse("2026-11-20T10:00:00.000Z") + i * 3_600_000);
      await openIncident(env.deps, { name: `Flap ${i}`, status: "resolved", components: {}, notify: false });
    }

    // The bundle `npm run export` runs (`npm test` builds it first).
    await promisify(execFile)(process.execPath, ["dist/node/export.mjs", out], {
      env: { ...process.env, DATA_DIR: env.dir },
    });

    for (const file of ["history/2026-11/index.html", "history/2026-11/1/index.html", "history/2026-11/2/index.html"]) {
      for (const suffix of ["", ".gz", ".br"]) expect(existsSync(join(out, file + suffix)), file + suffix).toBe(true);
    }
    expect(existsSync(join(out, "history/2026-11/3/index.html"))).toBe(false);
    const newest = readFileSync(join(out, "history/2026-11/index.html"), "utf8");
    expect(newest).toContain('<link rel="next" href="/history/2026-11/1"');
    expect(newest).toContain("Flap 59");
    expect(readFileSync(join(out, "history/2026-11/1/index.html"), "utf8")).toContain("Flap 0<");
  });
});
