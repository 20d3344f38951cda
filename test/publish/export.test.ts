import { afterEach, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { openIncident } from "@/api/services/incidents";
import { makeDeps } from "@/test/support/deps";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
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
