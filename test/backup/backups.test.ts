import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { count } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { parseConfig } from "@/api/config";
import { createNotifier } from "@/api/notify/notifier";
import { createResendTransport } from "@/api/notify/resend-transport";
import { runBackup } from "@/api/backup/run-backup";
import { chooseKept, timeOfBackup } from "@/api/backup/retention";
import { createBackupScheduler } from "@/api/backup/schedule";
import { verifyBackupFile } from "@/api/backup/verify";
import { takeBackup } from "@/api/backup/take";
import { listBackups } from "@/api/services/backups";
import { listStaffAlerts } from "@/api/services/staff-alerts";
import { syncStaffEmails } from "@/api/services/staff-destinations";
import { incidents } from "@/db/schema";
import { makeApp } from "@/test/support/app";
import { waitUntil } from "@/test/support/wait";
import { startFakeResend } from "@/test/support/fake-resend";
import { expectStatus, openIncident, seededComponentId, type TestApp } from "@/test/support/factories";

let t: TestApp;
let dir: string;
let dbFile: string;
let taken0: number;
const listIncidentCount = async () => (await t.deps.db.select({ n: count() }).from(incidents))[0]!.n;
beforeEach(async () => {
  t = await makeApp();
  taken0 = await listIncidentCount();
  dir = join(t.dir, "backups");
  dbFile = join(t.dir, "marquee.db");
});
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
  await t.cleanup();
});

const checksOf = (b: { checks: string }) => JSON.parse(b.checks) as Record<string, unknown>;

describe("taking a backup", () => {
  it("a backup taken during a storm of API writes verifies, and its restore drill gives the same summary.json", async () => {
    const tix1 = await seededComponentId(t, "tix1");
    const statuses = ["major_outage", "degraded_performance", "operational", "partial_outage"];
    let writing = true;
    const storm = Promise.all(
      Array.from({ length: 8 }, async (_, worker) => {
        let n = 0;
        while (writing || n < 5) {
          n++;
          if (n % 2 === 0) await openIncident(t, { name: `Storm ${worker}-${n}` });
          else
            await expectStatus(
              await t.call("PATCH", `/api/v1/components/${tix1}`, { status: statuses[n % statuses.length] }),
              200,
            );
        }
        return n;
      }),
    );
    const backup = await runBackup(t.deps, dbFile, { dir, keep: 14 });
    writing = false;
    const writes = (await storm).reduce((a, b) => a + b, 0);
    expect(writes).toBeGreaterThanOrEqual(40);
    expect(backup.reason).toBeNull();
    expect(backup.ok).toBe(true);
    expect(checksOf(backup)).toMatchObject({
      integrity: "ok",
      foreignKeys: "ok",
      countsMatch: true,
      drill: "same summary",
    });
    expect(statSync(backup.file).mode & 0o777).toBe(0o600);
    expect(statSync(`${backup.file}.sha256`).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    // The copy is what the live database was at one instant, and verifies again on its own afterwards.
    const again = await verifyBackupFile(backup.file);
    expect(again).toMatchObject({ ok: true, checks: { sha256: "ok", drill: "summary built" } });
  });

  it("writes committed between reading the snapshot and copying its pages stay out of the copy, so the counts compare honestly", async () => {
    const tix1 = await seededComponentId(t, "tix1");
    let between = 0;
    const taken = await takeBackup({
      dbFile,
      dir,
      now: t.clock(),
      betweenReadAndCopy: async () => {
        for (let i = 0; i < 20; i++) await openIncident(t, { name: `Meanwhile ${i}` });
        await expectStatus(await t.call("PATCH", `/api/v1/components/${tix1}`, { status: "major_outage" }), 200);
        between = (await listIncidentCount()) - taken0;
      },
    });
    expect(between).toBe(20);
    const verdict = await verifyBackupFile(taken.file, taken.expected);
    expect(verdict).toMatchObject({ ok: true, checks: { countsMatch: true, drill: "same summary" } });
    expect(verdict.checks.counts!.incidents).toBe(taken0);
    expect(taken.expected.summary).not.toContain("major_outage");
  });

  it("a copy whose rows do not match what the live database held at that instant is refused", async () => {
    const taken = await takeBackup({ dbFile, dir, now: t.clock() });
    const counts = { ...taken.expected.counts, incidents: taken.expected.counts.incidents! + 1 };
    const verdict = await verifyBackupFile(taken.file, { ...taken.expected, counts });
    expect(verdict).toMatchObject({ ok: false });
    expect(!verdict.ok && verdict.reason).toMatch(/row counts differ: incidents has \d+ in the copy/);
    const drifted = await verifyBackupFile(taken.file, { ...taken.expected, summary: "{}" });
    expect(!drifted.ok && drifted.reason).toMatch(/restore drill/);
  });
});

describe("keeping backups", () => {
  const name = (iso: string) => `marquee-${iso.replace(/[-:]/g, "")}.db`;

  it("keeps the newest backup of each of the last BACKUP_KEEP days and one a week for two months", () => {
    const now = Date.parse("2026-11-25T12:00:00Z");
    const names: string[] = [];
    // Four backups a day for 90 days.
    for (let d = 0; d < 90; d++)
      for (const h of ["00", "06", "12", "18"]) {
        const at = now - d * 86_400_000;
        const day = new Date(at).toISOString().slice(0, 10);
        if (d === 0 && h === "18") continue;
        names.push(name(`${day}T${h}:00:00Z`));
      }
    const kept = [...chooseKept([...names, "notes.txt"], now, 3)].sort();
    const daily = ["2026-11-23T18:00:00Z", "2026-11-24T18:00:00Z", "2026-11-25T12:00:00Z"].map(name);
    for (const n of daily) expect(kept).toContain(n);
    // Sundays (the newest of each Monday-to-Sunday week) back to two months ago.
    expect(kept).toContain(name("2026-11-22T18:00:00Z"));
    expect(kept).toContain(name("2026-09-27T18:00:00Z"));
    expect(kept).not.toContain(name("2026-09-20T18:00:00Z"));
    expect(kept).not.toContain(name("2026-11-24T12:00:00Z"));
    expect(kept.length).toBe(3 + 9);
    expect(kept.every((n) => timeOfBackup(n) !== null)).toBe(true);
  });

  it("deletes what retention lets go as the injected clock moves on", async () => {
    for (let i = 0; i < 5; i++) {
      await runBackup(t.deps, dbFile, { dir, keep: 2 });
      t.clock.advance(86_400_000 * 8);
    }
    const files = readdirSync(dir).filter((f) => f.endsWith(".db"));
    // Two daily copies, and weekly ones from the last two months: 8-day steps are each in a week of their own.
    expect(files.length).toBe(5);
    t.clock.advance(86_400_000 * 60);
    await runBackup(t.deps, dbFile, { dir, keep: 2 });
    expect(readdirSync(dir).filter((f) => f.endsWith(".db")).length).toBe(2);
    expect(readdirSync(dir).filter((f) => f.endsWith(".sha256")).length).toBe(2);
  });
});

describe("the copy off the machine", () => {
  it("BACKUP_COPY_COMMAND gets the file's path, never as part of the command's text", async () => {
    const hostile = join(t.dir, "b $(touch pwned); `touch pwned2` ' \"");
    const target = join(t.dir, "offsite");
    mkdirSync(target);
    const backup = await runBackup(t.deps, dbFile, {
      dir: hostile,
      keep: 14,
      copyCommand: `cp "$1" ${target}/`,
    });
    expect(backup.reason).toBeNull();
    const copied = join(target, readdirSync(target)[0]!);
    expect(readFileSync(copied).equals(readFileSync(backup.file))).toBe(true);
    expect(existsSync(join(t.dir, "pwned")) || existsSync("pwned") || existsSync("pwned2")).toBe(false);

    // Without "$1", the path is the last argument.
    const listed = join(t.dir, "listed.txt");
    t.clock.advance(1000);
    const second = await runBackup(t.deps, dbFile, { dir, keep: 14, copyCommand: `sh -c 'echo "$0" > ${listed}'` });
    expect(second.ok).toBe(true);
    expect(readFileSync(listed, "utf8").trim()).toBe(second.file);
  });

  it("a failing BACKUP_COPY_COMMAND marks the backup failed, with what the command said", async () => {
    const backup = await runBackup(t.deps, dbFile, { dir, keep: 14, copyCommand: "echo 'bucket is gone' >&2; exit 3" });
    expect(backup.ok).toBe(false);
    expect(backup.reason).toBe("BACKUP_COPY_COMMAND failed (exit 3): bucket is gone");
  });
});

describe("seeing backups", () => {
  it("/healthz carries the last good backup's age and stays 200", async () => {
    t.publisher.touch({ everything: true });
    await t.publisher.idle();
    const before = await expectStatus<Record<string, unknown>>(await t.app.request("/healthz"), 200);
    expect(before.last_good_backup_age_seconds).toBeNull();
    const backup = await runBackup(t.deps, dbFile, { dir, keep: 14 });
    t.clock.advance(3 * 86_400_000 + 90_000);
    // A failed backup after it does not hide the last good one.
    await runBackup(t.deps, dbFile, { dir, keep: 14, copyCommand: "exit 1" });
    const health = await expectStatus<Record<string, unknown>>(await t.app.request("/healthz"), 200);
    expect(health.last_good_backup_at).toBe(new Date(backup.takenAt).toISOString());
    expect(health.last_good_backup_age_seconds).toBe(3 * 86_400 + 90);
  });

  it("GET /api/v1/backups lists the backups with their checks for a read key, and nobody without one", async () => {
    await runBackup(t.deps, dbFile, { dir, keep: 14 });
    const list = await expectStatus<Record<string, unknown>[]>(
      await t.call("GET", "/api/v1/backups", undefined, { scope: "read" }),
      200,
    );
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ ok: true, reason: null, checks: { integrity: "ok", drill: "same summary" } });
    expect(list[0]!.file).toMatch(/^marquee-\d{8}T\d{6}Z\.db$/);
    expect(list[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect((await t.call("GET", "/api/v1/backups", undefined, { scope: null })).status).toBe(401);
  });

  it("the console shows the last backup, in red when it is missing, stale or failed", async () => {
    // Signed in afresh each time: the injected clock moves past a console session's life.
    const status = async () => {
      const login = await t.app.request("/admin/login", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ key: t.keys.write }).toString(),
      });
      const cookie = login.headers.get("set-cookie")!.split(";")[0]!;
      const html = await (await t.app.request("/admin", { headers: { cookie } })).text();
      return /<p id="backup-status" class="(\w+)"[^>]*>([\s\S]*?)<\/p>/.exec(html)!.slice(1, 3);
    };
    expect(await status()).toEqual(["error", expect.stringContaining("No backup has been taken yet")]);
    await runBackup(t.deps, dbFile, { dir, keep: 14 });
    expect((await status())[0]).toBe("flash");
    expect((await status())[1]).toContain("checked and good");
    t.clock.advance(36 * 3_600_000 + 1);
    expect(await status()).toEqual(["error", expect.stringContaining("older than 1.5 intervals")]);
    await runBackup(t.deps, dbFile, { dir, keep: 14, copyCommand: "exit 7" });
    expect(await status()).toEqual(["error", expect.stringContaining("failed (exit 7)")]);
  });
});

describe("telling the staff", () => {
  /** STAFF_EMAILS as the server syncs it at start, and a sender that emails through a fake Resend. */
  async function staffByEmail(addresses: string[]) {
    await syncStaffEmails(t.deps, addresses);
    const resend = await startFakeResend();
    const notifier = createNotifier({
      ...t.deps,
      transport: createResendTransport({ apiKey: "re_test", baseUrl: resend.url, requestsPerSecond: 1000 }),
    });
    cleanups.push(
      () => notifier.stop(),
      () => resend.close(),
    );
    return { resend, notifier };
  }

  it("a failed backup is emailed to STAFF_EMAILS once, through the staff alert outbox", async () => {
    const { resend, notifier } = await staffByEmail(["ops@example.com", "oncall@example.com"]);
    await runBackup(t.deps, dbFile, { dir, keep: 14, notifier });
    await notifier.idle();
    expect(resend.accepted).toHaveLength(0);
    await runBackup(t.deps, dbFile, {
      dir,
      keep: 14,
      notifier,
      copyCommand: "echo 'no route to host' >&2; exit 2",
    });
    await notifier.idle();
    notifier.wake();
    await notifier.idle();
    expect(resend.accepted.map((m) => m.to).sort()).toEqual(["oncall@example.com", "ops@example.com"]);
    expect(resend.accepted[0]!.subject).toContain("Backup failed");
    expect(resend.accepted[0]!.text).toContain("no route to host");
    const failed = (await listBackups(t.deps)).find((b) => !b.ok)!;
    expect(failed.alertedAt).not.toBeNull();
    const alerts = await listStaffAlerts(t.deps);
    expect(alerts.map((a) => a.key)).toEqual([`backup-failed-${failed.id}`]);
    expect(alerts[0]!.deliveries.map((d) => d.status)).toEqual(["sent", "sent"]);
  });

  it("no good backup for 1.5 intervals is emailed to the staff once, even while a backup hangs", async () => {
    const { resend, notifier } = await staffByEmail(["ops@example.com"]);
    const sent = async () => (await notifier.idle(), resend.accepted);
    const hour = 3_600_000;
    const scheduler = createBackupScheduler(t.deps, dbFile, { dir, keep: 14, intervalMs: hour }, notifier, () => {});
    await scheduler.watch();
    expect(await sent()).toHaveLength(0);
    t.clock.advance(1.5 * hour);
    await scheduler.watch();
    expect(await sent()).toHaveLength(0);
    t.clock.advance(1);
    await scheduler.watch();
    await scheduler.watch();
    expect(await sent()).toHaveLength(1);
    expect(resend.accepted[0]!.text).toContain("No good backup");
    // A good backup ends it; the next gap is told again.
    await runBackup(t.deps, dbFile, { dir, keep: 14 });
    await scheduler.watch();
    expect(await sent()).toHaveLength(1);
    t.clock.advance(2 * hour);
    await scheduler.watch();
    expect(await sent()).toHaveLength(2);
    // The memory of what was told is the outbox, not the scheduler: a new one (a restart) does not tell again.
    const restarted = createBackupScheduler(t.deps, dbFile, { dir, keep: 14, intervalMs: hour }, notifier, () => {});
    await restarted.watch();
    expect(await sent()).toHaveLength(2);
    expect((await listStaffAlerts(t.deps)).filter((a) => a.kind === "backup_missing")).toHaveLength(2);
  });

  it("a copy command that does not finish in time is stopped and fails the backup", async () => {
    const backup = await runBackup(t.deps, dbFile, {
      dir,
      keep: 14,
      copyCommand: `sleep 60; echo "$1"`,
      copyTimeoutMs: 1000,
    });
    expect(backup.ok).toBe(false);
    expect(backup.reason).toBe("BACKUP_COPY_COMMAND did not finish within 1 s");
  });

  it("stopping the server stops a copy command under way, and the backup says so", async () => {
    const scheduler = createBackupScheduler(
      t.deps,
      dbFile,
      { dir, keep: 14, intervalMs: 3_600_000, copyCommand: `sleep 60; echo "$1"` },
      null,
      () => {},
    );
    const stop = scheduler.start();
    await waitUntil(() => existsSync(dir) && readdirSync(dir).some((f) => f.endsWith(".sha256")), "a backup copied");
    stop();
    await scheduler.idle();
    const [backup] = await listBackups(t.deps);
    expect(backup).toMatchObject({ ok: false, reason: "the server stopped before BACKUP_COPY_COMMAND finished" });
  });

  it("the scheduler takes a backup when one is due by the injected clock, and alerts on failure", async () => {
    const logs: string[] = [];
    const scheduler = createBackupScheduler(t.deps, dbFile, { dir, keep: 14, intervalMs: 3_600_000 }, null, (m) =>
      logs.push(m),
    );
    await scheduler.check();
    await scheduler.check();
    expect(await listBackups(t.deps)).toHaveLength(1);
    t.clock.advance(3_599_000);
    await scheduler.check();
    expect(await listBackups(t.deps)).toHaveLength(1);
    t.clock.advance(1_000);
    await scheduler.check();
    expect(await listBackups(t.deps)).toHaveLength(2);
    expect(logs.filter((l) => l.includes("taken and checked"))).toHaveLength(2);
  });
});

describe("configuration", () => {
  it("reads the backup settings, and refuses bad ones naming the variable", () => {
    const config = parseConfig({ DATA_DIR: "/srv/marquee/", BACKUP_INTERVAL: "30s", STAFF_EMAILS: "a@x.com, b@y.org" });
    expect(config.backup).toEqual({
      dir: "/srv/marquee/backups",
      intervalMs: 30_000,
      keep: 14,
      copyCommand: undefined,
    });
    expect(config.staffEmails).toEqual(["a@x.com", "b@y.org"]);
    expect(parseConfig({}).backup.intervalMs).toBe(86_400_000);
    expect(() => parseConfig({ BACKUP_INTERVAL: "daily" })).toThrow(/BACKUP_INTERVAL/);
    expect(() => parseConfig({ BACKUP_KEEP: "0" })).toThrow(/BACKUP_KEEP/);
    expect(() => parseConfig({ STAFF_EMAILS: "ops@example.com, not-an-address" })).toThrow(/STAFF_EMAILS/);
  });
});
