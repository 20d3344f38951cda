import { sql } from "drizzle-orm";
import { Gauge } from "prom-client";
import type { MetricsCollector } from "./metrics";

/**
 * The outbox backlog, read at scrape time. Each query reads only the pending rows, through the outbox indexes
 * (deliveries (status, notification, chunk); webhook_deliveries (status, next attempt)): sent and failed rows,
 * however many, are never visited (test/metrics/metrics.test.ts checks the query plans).
 */
export const outboxQueries = {
  pendingChunks:
    "SELECT count(*) AS n FROM (SELECT DISTINCT notification_id, chunk FROM deliveries WHERE status = 'pending')",
  oldestPending:
    "SELECT min(created_at) AS at FROM notifications WHERE id IN (SELECT notification_id FROM deliveries WHERE status = 'pending')",
  pendingWebhooks: "SELECT count(*) AS n FROM webhook_deliveries WHERE status = 'pending'",
};

export const outboxGauges: MetricsCollector = (registry, { db, clock }) => {
  const one = async <T>(query: string) => (await db.get<T>(sql.raw(query))) as T;
  new Gauge({
    name: "marquee_outbox_pending_chunks",
    help: "Email chunks (at most 100 recipients each) waiting to be sent",
    registers: [registry],
    async collect() {
      this.set((await one<{ n: number }>(outboxQueries.pendingChunks)).n);
    },
  });
  new Gauge({
    name: "marquee_outbox_oldest_pending_age_seconds",
    help: "Age of the oldest notification with recipients still waiting; 0 when none waits",
    registers: [registry],
    async collect() {
      const { at } = await one<{ at: number | null }>(outboxQueries.oldestPending);
      this.set(at === null ? 0 : Math.max(0, (clock() - at) / 1000));
    },
  });
  new Gauge({
    name: "marquee_webhook_pending_deliveries",
    help: "Webhook deliveries waiting for their first or next attempt",
    registers: [registry],
    async collect() {
      this.set((await one<{ n: number }>(outboxQueries.pendingWebhooks)).n);
    },
  });
};
