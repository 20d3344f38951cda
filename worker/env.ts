import type { SeverityStatuses } from "@/api/alerts/severity";
import { parseConfig } from "@/api/config";

/** What wrangler.toml and `wrangler secret put` give the worker. */
export type Env = {
  DB?: D1Database;
  ADMIN_API_KEY?: string;
  SITE_URL?: string;
  RESEND_API_KEY?: string;
  RESEND_BASE_URL?: string;
  RESEND_RATE_LIMIT?: string;
  RESEND_WEBHOOK_SECRET?: string;
  EMAIL_FROM?: string;
  CONFIRMATION_EMAILS_PER_HOUR?: string;
  /** `true` lets webhook URLs name private addresses; Cloudflare's network still refuses most (docs/security.md). */
  ALLOW_PRIVATE_WEBHOOKS?: string;
  /** Comma list of staff addresses: the staff alert destinations with source `config` (docs/operations.md). */
  STAFF_EMAILS?: string;
  /** `log` prints emails to the worker's log instead of sending them: for `npm run worker:dev` only. */
  EMAIL_TRANSPORT?: string;
  /** The component status each alert severity asks for (api/alerts/severity.ts). */
  ALERT_SEVERITY_STATUSES?: string;
  /** `1` logs the D1 statements each request ran (the benchmark reads them). */
  D1_QUERY_LOG?: string;
};

export type WorkerConfig = {
  db: D1Database;
  adminApiKey: string;
  siteUrl: string | undefined;
  email: { kind: "resend"; apiKey: string; baseUrl?: string; rateLimit: number } | { kind: "log" };
  emailFrom: string | undefined;
  resendWebhookSecret: string | undefined;
  confirmationEmailsPerHour: number;
  allowPrivateWebhooks: boolean;
  alertSeverityStatuses: SeverityStatuses;
  staffEmails: string[];
};

/** A setting the worker cannot run without; the message names it and says where it is set. */
export class MissingSetting extends Error {}

/**
 * Reads the worker's bindings and variables once per isolate. There is no start-up on Workers, so a missing binding
 * or secret is reported on the first request, by name, instead of failing somewhere deep inside it.
 */
export function readWorkerConfig(env: Env): WorkerConfig {
  if (!env.DB || typeof env.DB.prepare !== "function") {
    throw new MissingSetting(
      'The D1 binding DB is missing: add a [[d1_databases]] entry with binding = "DB" to wrangler.toml',
    );
  }
  if (!env.ADMIN_API_KEY) {
    throw new MissingSetting("The secret ADMIN_API_KEY is not set: run `wrangler secret put ADMIN_API_KEY`");
  }
  const transport = env.EMAIL_TRANSPORT?.trim();
  if (!env.RESEND_API_KEY && transport !== "log") {
    throw new MissingSetting(
      "The secret RESEND_API_KEY is not set: run `wrangler secret put RESEND_API_KEY` (Workers send email through Resend)",
    );
  }
  let config;
  try {
    config = parseConfig({
      SITE_URL: env.SITE_URL,
      ADMIN_API_KEY: env.ADMIN_API_KEY,
      RESEND_API_KEY: env.RESEND_API_KEY,
      RESEND_BASE_URL: env.RESEND_BASE_URL,
      RESEND_RATE_LIMIT: env.RESEND_RATE_LIMIT,
      RESEND_WEBHOOK_SECRET: env.RESEND_WEBHOOK_SECRET,
      EMAIL_FROM: env.EMAIL_FROM,
      CONFIRMATION_EMAILS_PER_HOUR: env.CONFIRMATION_EMAILS_PER_HOUR,
      ALLOW_PRIVATE_WEBHOOKS: env.ALLOW_PRIVATE_WEBHOOKS,
      ALERT_SEVERITY_STATUSES: env.ALERT_SEVERITY_STATUSES,
      STAFF_EMAILS: env.STAFF_EMAILS,
    });
  } catch (error) {
    throw new MissingSetting(error instanceof Error ? error.message : String(error));
  }
  return {
    db: env.DB,
    adminApiKey: config.adminApiKey!,
    siteUrl: config.siteUrl,
    email:
      transport === "log"
        ? { kind: "log" }
        : {
            kind: "resend",
            apiKey: config.resend.apiKey!,
            baseUrl: config.resend.baseUrl,
            rateLimit: config.resend.rateLimit,
          },
    emailFrom: config.emailFrom,
    resendWebhookSecret: config.resend.webhookSecret,
    confirmationEmailsPerHour: config.confirmationEmailsPerHour,
    allowPrivateWebhooks: config.allowPrivateWebhooks,
    alertSeverityStatuses: config.alertSeverityStatuses,
    staffEmails: config.staffEmails,
  };
}
