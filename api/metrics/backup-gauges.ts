import { Gauge } from "prom-client";
import { lastBackup } from "@/api/services/backups";
import type { MetricsCollector } from "./metrics";

/**
 * The last backup, read at scrape time through the backups' time index (one row each): when the last good one was
 * taken, how old it is, and whether the last attempt passed its checks. An alert on the age catches a backup job
 * that stopped as well as one that fails.
 */
export const backupGauges: MetricsCollector = (registry, { db, clock }) => {
  const deps = { db, clock };
  new Gauge({
    name: "marquee_backup_last_good_timestamp_seconds",
    help: "When the last backup that passed its checks was taken (Unix time); 0 when there is none",
    registers: [registry],
    async collect() {
      const good = await lastBackup(deps, true);
      this.set(good ? good.takenAt / 1000 : 0);
    },
  });
  new Gauge({
    name: "marquee_backup_last_good_age_seconds",
    help: "Age of the last backup that passed its checks; +Inf when there is none, so an age alert fires",
    registers: [registry],
    async collect() {
      const good = await lastBackup(deps, true);
      this.set(good ? Math.max(0, (clock() - good.takenAt) / 1000) : Infinity);
    },
  });
  new Gauge({
    name: "marquee_backup_last_ok",
    help: "1 when the last backup taken passed its checks, 0 when it failed, -1 before the first",
    registers: [registry],
    async collect() {
      const last = await lastBackup(deps);
      this.set(last ? Number(last.ok) : -1);
    },
  });
};
