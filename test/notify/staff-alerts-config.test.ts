import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { Db } from "@/db/client";
import { parseConfig } from "@/api/config";
import { openNodeDeps } from "@/api/node-runtime";
import { systemActor } from "@/api/services/audit";
import { createStaffDestination, listStaffDestinations, syncStaffEmails } from "@/api/services/staff-destinations";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const targets = async (deps: { db: Db }) =>
  (await listStaffDestinations({ db: deps.db, clock: Date.now })).map((d) => `${d.source}:${d.target}`).sort();

describe("STAFF_EMAILS", () => {
  it("becomes email destinations at each Node start: added when missing, removed when no longer listed", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "marquee-staff-emails-"));
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
    const start = async (env: Record<string, string>) => {
      const opened = await openNodeDeps(parseConfig({ DATA_DIR: dataDir, ...env }), () => {});
      cleanups.push(opened.close);
      return opened;
    };

    const first = await start({ STAFF_EMAILS: "ops@example.com, OnCall@Example.com" });
    expect(await targets(first.deps)).toEqual(["config:oncall@example.com", "config:ops@example.com"]);
    const opsId = (await listStaffDestinations(first.deps)).find((d) => d.target === "ops@example.com")!.id;
    const actor = systemActor("test");
    await createStaffDestination({ ...first.deps, actor }, { kind: "email", target: "boss@example.com" });
    first.close();

    // The same address listed again keeps its destination (and its deliveries); the API's is kept.
    const second = await start({ STAFF_EMAILS: "ops@example.com,boss@example.com" });
    expect(await targets(second.deps)).toEqual(["api:boss@example.com", "config:ops@example.com"]);
    expect((await listStaffDestinations(second.deps)).find((d) => d.target === "ops@example.com")!.id).toBe(opsId);
    second.close();

    const third = await start({});
    expect(await targets(third.deps)).toEqual(["api:boss@example.com"]);
    third.close();
  });
});
