import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { createNotifier } from "@/api/notify/notifier";
import { createResendTransport } from "@/api/notify/resend-transport";
import { collectors } from "@/api/metrics/collectors";
import { countingTransport } from "@/api/metrics/counting-transport";
import { createMetrics } from "@/api/metrics/metrics";
import { outboxQueries } from "@/api/metrics/outbox-gauges";
import { openIncident } from "@/api/services/incidents";
import { importSubscribers } from "@/api/services/subscribers";
import { makeDeps } from "@/test/support/deps";
import { type FakeResendOptions, startFakeResend } from "@/test/support/fake-resend";
import { parsePrometheusText, valueOf } from "./prometheus-text";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** 250 confirmed subscribers (three chunks) and an incident that notifies them all, and the metrics over them. */
async function outboxOf250() {
  const env = await makeDeps();
  cleanups.push(env.cleanup);
  await importSubscribers(
    env.deps,
    Array.from({ length: 250 }, (_, i) => ({ email: `s${i}@example.com` })),
    true,
    new Set(),
  );
  await openIncident(env.deps, { name: "Webtix down", status: "investigating", components: {}, notify: true });
  const metrics = createMetrics(env.deps, { collectors });
  const scrape = async () => parsePrometheusText(await metrics.text());
  return { ...env, metrics, scrape };
}

/** Sends the whole outbox through a counted Resend transport to a local fake, then scrapes. */
async function drainThroughFakeResend(env: Awaited<ReturnType<typeof outboxOf250>>, fake: FakeResendOptions = {}) {
  const resend = await startFakeResend(fake);
  cleanups.push(() => resend.close());
  const transport = createResendTransport({ apiKey: "re_test", baseUrl: resend.url, requestsPerSecond: 1000 });
  const notifier = createNotifier({ ...env.deps, transport: countingTransport(transport, env.metrics) });
  notifier.wake();
  await notifier.idle();
  await notifier.stop();
  return env.scrape();
}

describe("outbox metrics", () => {
  it("show the pending chunks and the age of the oldest waiting notification, read at scrape time", async () => {
    const env = await outboxOf250();
    env.clock.advance(90_000);
    const families = await env.scrape();
    expect(families.get("marquee_outbox_pending_chunks")?.type).toBe("gauge");
    expect(valueOf(families, "marquee_outbox_pending_chunks")).toBe(3);
    expect(valueOf(families, "marquee_outbox_oldest_pending_age_seconds")).toBe(90);
    expect(valueOf(families, "marquee_webhook_pending_deliveries")).toBe(0);
  });

  it("count the emails a transport sent, under its name, and the backlog drops to nothing", async () => {
    const env = await outboxOf250();
    const families = await drainThroughFakeResend(env);
    expect(valueOf(families, "marquee_emails_sent_total", { transport: "resend" })).toBe(250);
    expect(valueOf(families, "marquee_emails_failed_total", { transport: "resend" })).toBeUndefined();
    expect(valueOf(families, "marquee_outbox_pending_chunks")).toBe(0);
    expect(valueOf(families, "marquee_outbox_oldest_pending_age_seconds")).toBe(0);
  });

  it("count the emails of a refused chunk as failed, saying whether they are retried", async () => {
    const env = await outboxOf250();
    const families = await drainThroughFakeResend(env, { failNext: [{ status: 422 }] });
    expect(valueOf(families, "marquee_emails_failed_total", { transport: "resend", retryable: "false" })).toBe(100);
    expect(valueOf(families, "marquee_emails_sent_total", { transport: "resend" })).toBe(150);
  });

  it("read only pending rows through the outbox indexes, never scanning the deliveries", async () => {
    const env = await outboxOf250();
    for (const [name, query] of Object.entries(outboxQueries)) {
      const plan = await env.deps.db.all<{ detail: string }>(sql.raw(`EXPLAIN QUERY PLAN ${query}`));
      const details = plan.map((row) => row.detail).join("\n");
      expect(details, name).not.toMatch(/SCAN (deliveries|webhook_deliveries)/);
      expect(details, name).toMatch(/SEARCH (deliveries|webhook_deliveries) USING (COVERING )?INDEX \w+ \(status=\?/);
    }
  });
});
