import { afterEach, describe, expect, it } from "vitest";
import { collectors } from "@/api/metrics/collectors";
import { createMetrics } from "@/api/metrics/metrics";
import { recordBackup } from "@/api/services/backups";
import { makeDeps } from "@/test/support/deps";
import { parsePrometheusText, valueOf } from "./prometheus-text";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const backup = (takenAt: number, ok: boolean) => ({
  takenAt,
  file: `/backups/marquee-${takenAt}.db`,
  size: 4096,
  sha256: "0".repeat(64),
  durationMs: 12,
  ok,
  reason: ok ? null : "integrity_check: page 3 is corrupt",
  checks: "{}",
});

describe("backup metrics", () => {
  it("say when the last good backup was taken, how old it is, and whether the last one passed", async () => {
    const env = await makeDeps();
    cleanups.push(env.cleanup);
    const metrics = createMetrics(env.deps, { collectors });
    const scrape = async () => parsePrometheusText(await metrics.text());

    let families = await scrape();
    expect(valueOf(families, "marquee_backup_last_good_timestamp_seconds")).toBe(0);
    expect(valueOf(families, "marquee_backup_last_good_age_seconds")).toBe(Infinity);
    expect(valueOf(families, "marquee_backup_last_ok")).toBe(-1);

    const goodAt = env.clock();
    await recordBackup(env.deps, backup(goodAt, true));
    env.clock.advance(3_600_000);
    await recordBackup(env.deps, backup(env.clock(), false));
    env.clock.advance(60_000);

    families = await scrape();
    expect(valueOf(families, "marquee_backup_last_good_timestamp_seconds")).toBe(goodAt / 1000);
    expect(valueOf(families, "marquee_backup_last_good_age_seconds")).toBe(3_660);
    expect(valueOf(families, "marquee_backup_last_ok")).toBe(0);
  });
});
