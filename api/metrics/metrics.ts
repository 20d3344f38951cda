import { collectDefaultMetrics, Counter, Histogram, Registry } from "prom-client";
import type { Db } from "@/db/client";
import { requestKind, statusClass } from "./request-kind";

/** What a collector may read at scrape time. */
export type MetricsSource = { db: Db; clock: () => number };

/**
 * Adds metrics to the registry, computed at scrape time by `collect` callbacks. This is the extension point: backup
 * age and result, monitor states and the like each get a collector file beside outbox-gauges.ts, listed in
 * `collectors` below. A collector's queries must be cheap (an index, never a scan of a growing table).
 */
export type MetricsCollector = (registry: Registry, source: MetricsSource) => void;

/**
 * The Node server's metrics, in one registry of its own (prom-client's global one would be shared by every app a
 * test builds). The counters are moved by the hooks below, which the runtime hands to the parts that do the work.
 */
export function createMetrics(
  source: MetricsSource,
  options: { collectors?: MetricsCollector[]; processMetrics?: boolean } = {},
) {
  const registry = new Registry();
  if (options.processMetrics) collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: "marquee_http_requests_total",
    help: "HTTP requests answered, by kind (page, api, console, subscription, other) and status class",
    labelNames: ["kind", "status_class"] as const,
    registers: [registry],
  });
  const publishDuration = new Histogram({
    name: "marquee_publish_duration_seconds",
    help: "Time to render and swap in the pages of one publish, by result",
    labelNames: ["result"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [registry],
  });
  const pagesPublished = new Counter({
    name: "marquee_pages_published_total",
    help: "Pages rendered and published",
    registers: [registry],
  });
  const emailsSent = new Counter({
    name: "marquee_emails_sent_total",
    help: "Emails the transport accepted, by transport",
    labelNames: ["transport"] as const,
    registers: [registry],
  });
  const emailsFailed = new Counter({
    name: "marquee_emails_failed_total",
    help: "Emails in a send attempt that failed, by transport and whether it is retried (a retried email may later count as sent)",
    labelNames: ["transport", "retryable"] as const,
    registers: [registry],
  });
  const webhooks = new Counter({
    name: "marquee_webhook_deliveries_total",
    help: "Webhook delivery attempts, by result: sent, failed (given up) or retry (failed, tried again later)",
    labelNames: ["result"] as const,
    registers: [registry],
  });
  for (const collect of options.collectors ?? []) collect(registry, source);

  return {
    registry,
    contentType: registry.contentType,
    text: () => registry.metrics(),
    countRequest(method: string, path: string, status: number) {
      requests.inc({ kind: requestKind(method, path, status), status_class: statusClass(status) });
    },
    onPublished({ seconds, pages, ok }: { seconds: number; pages: number; ok: boolean }) {
      publishDuration.observe({ result: ok ? "ok" : "failed" }, seconds);
      pagesPublished.inc(pages);
    },
    onEmails(transport: string, outcome: { sent: number } | { failed: number; retryable: boolean }) {
      if ("sent" in outcome) emailsSent.inc({ transport }, outcome.sent);
      else emailsFailed.inc({ transport, retryable: String(outcome.retryable) }, outcome.failed);
    },
    onWebhookAttempt(result: "sent" | "failed" | "retry") {
      webhooks.inc({ result });
    },
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
