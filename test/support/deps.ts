import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openNodeDb } from "@/db/node";
import { type StaffDeps, systemActor } from "@/api/services/audit";
import { seedDefaultPage } from "@/api/services/seed";

/** A fresh SQLite file with the real migrations applied, and a clock tests can move. */
export async function makeDeps(options: { seed?: boolean } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "marquee-test-"));
  const { db, close } = openNodeDb(join(dir, "marquee.db"));
  let now = Date.parse("2026-11-25T12:00:00.000Z");
  const clock = Object.assign(() => now, {
    set: (t: number | string) => (now = typeof t === "string" ? Date.parse(t) : t),
    advance: (ms: number) => (now += ms),
  });
  // Tests that call write verbs directly act as Marquee itself; requests through the app act as their key.
  const deps: StaffDeps = { db, clock, actor: systemActor("test") };
  await seedDefaultPage(deps, "https://status.example.com");
  return {
    deps,
    dir,
    clock,
    cleanup: () => {
      close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
