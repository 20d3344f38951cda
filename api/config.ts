import { join } from "node:path";
import { z } from "zod";
import { parseSeverityStatuses, type SeverityStatuses } from "./alerts/severity";
import { commandWords } from "./command-words";
import { parseDuration } from "./duration";
import { weakKeyReason } from "./key-strength";
import { parseTrustProxy, type TrustProxy } from "./middleware/trust-proxy";

const optional = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));

// Checked at start: nodemailer would otherwise accept them and fail at the first email.
const address = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+$/;
const isMailbox = (v: string) => address.test(v) || /^[^<>]*<([^<>]+)>$/.exec(v)?.[1]?.match(address) != null;
function isSmtpUrl(v: string): boolean {
  try {
    const url = new URL(v);
    return (url.protocol === "smtp:" || url.protocol === "smtps:") && url.hostname !== "";
  } catch {
    return false;
  }
}

const ConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATA_DIR: z.string().default("./data"),
  SITE_URL: optional.pipe(z.url({ protocol: /^https?$/ }).optional()),
  ADMIN_API_KEY: optional.pipe(
    z
      .string()
      .superRefine((key, ctx) => {
        const weak = weakKeyReason(key);
        if (weak)
          ctx.addIssue({
            code: "custom",
            message: `ADMIN_API_KEY ${weak}: use a random key, such as the output of \`openssl rand -hex 32\``,
          });
      })
      .optional(),
  ),
  RESEND_API_KEY: optional,
  RESEND_BASE_URL: optional,
  RESEND_RATE_LIMIT: z.coerce.number().positive().default(2),
  RESEND_WEBHOOK_SECRET: optional,
  EMAIL_FROM: optional.refine((v) => v === undefined || isMailbox(v), {
    message:
      "EMAIL_FROM must be an address (status@example.com) or a name and an address (Example Status <status@example.com>)",
  }),
  SMTP_URL: optional.refine((v) => v === undefined || isSmtpUrl(v), {
    message: "SMTP_URL must be an smtp:// or smtps:// URL with a host, such as smtps://user:pass@smtp.example.com:465",
  }),
  TRUST_PROXY: z
    .string()
    .optional()
    .transform((v, ctx) => {
      try {
        return parseTrustProxy(v);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: (error as Error).message });
        return z.NEVER;
      }
    }),
  MAX_CONNECTIONS_PER_CLIENT: optional
    .transform((v) => (v === undefined ? undefined : Number(v)))
    .pipe(z.number().int().min(0).optional()),
  CONFIRMATION_EMAILS_PER_HOUR: z.coerce.number().int().positive().default(200),
  ALLOW_PRIVATE_WEBHOOKS: optional.pipe(z.enum(["true", "false", "1", "0"]).optional()),
  CHAT_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(16),
  MIRROR_DIR: optional,
  MIRROR_COMMAND: optional.transform((v, ctx) => {
    try {
      return v === undefined ? undefined : commandWords(v);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: `MIRROR_COMMAND has ${(error as Error).message}` });
      return z.NEVER;
    }
  }),
  BACKUP_DIR: optional,
  BACKUP_INTERVAL: optional.transform((v, ctx) => {
    const ms = parseDuration(v ?? "24h");
    if (ms === null) ctx.addIssue({ code: "custom", message: "use a number and a unit: 30s, 15m, 6h or 1d" });
    return ms ?? z.NEVER;
  }),
  BACKUP_KEEP: z.coerce.number().int().positive().default(14),
  BACKUP_COPY_COMMAND: optional,
  STAFF_EMAILS: optional.pipe(
    z
      .string()
      .transform((v) =>
        v
          .split(",")
          .map((a) => a.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.email()))
      .optional(),
  ),
  ALERT_SEVERITY_STATUSES: optional.transform((v, ctx) => {
    try {
      return parseSeverityStatuses(v);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: (error as Error).message });
      return z.NEVER;
    }
  }),
  METRICS_TOKEN: optional.pipe(
    z
      .string()
      .superRefine((token, ctx) => {
        const weak = weakKeyReason(token);
        if (weak) ctx.addIssue({ code: "custom", message: `METRICS_TOKEN ${weak}: use \`openssl rand -hex 32\`` });
      })
      .optional(),
  ),
});

export type Config = {
  port: number;
  dataDir: string;
  siteUrl: string | undefined;
  adminApiKey: string | undefined;
  resend: { apiKey?: string; baseUrl?: string; rateLimit: number; webhookSecret?: string };
  emailFrom: string | undefined;
  smtpUrl: string | undefined;
  trustProxy: TrustProxy;
  /** Open connections one address may hold on Node; 0: no cap. */
  maxConnectionsPerClient: number;
  /** Confirmation emails the subscribe form may queue in an hour, page-wide. */
  confirmationEmailsPerHour: number;
  /** Lets webhook URLs reach loopback, private and link-local addresses (docs/security.md). */
  allowPrivateWebhooks: boolean;
  /** Chat posts in flight at once, over all channels (docs/chat.md). */
  chatConcurrency: number;
  /** Keeps a static copy of the page in `dir` (and runs `command` with it) after each publish (docs/operations.md). */
  mirror: { dir: string; command: string[] | undefined } | undefined;
  /** Online backups of the database (Node). */
  backup: { dir: string; intervalMs: number; keep: number; copyCommand: string | undefined };
  /** STAFF_EMAILS: who hears about a failed backup. */
  staffEmails: string[];
  /** A bearer token that opens GET /metrics and nothing else (API keys open it too). */
  metricsToken: string | undefined;
  /** ALERT_SEVERITY_STATUSES over the defaults: the component status each alert severity asks for. */
  alertSeverityStatuses: SeverityStatuses;
};

/** The only reader of the environment. Throws a readable message naming the bad variable. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const parsed = ConfigSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    dataDir: e.DATA_DIR,
    siteUrl: e.SITE_URL?.replace(/\/+$/, ""),
    adminApiKey: e.ADMIN_API_KEY,
    resend: {
      apiKey: e.RESEND_API_KEY,
      baseUrl: e.RESEND_BASE_URL,
      rateLimit: e.RESEND_RATE_LIMIT,
      webhookSecret: e.RESEND_WEBHOOK_SECRET,
    },
    emailFrom: e.EMAIL_FROM,
    smtpUrl: e.SMTP_URL,
    trustProxy: e.TRUST_PROXY,
    // Behind a proxy every socket is the proxy's: a per-address cap would cap the proxy, so it is off unless asked.
    maxConnectionsPerClient: e.MAX_CONNECTIONS_PER_CLIENT ?? (e.TRUST_PROXY ? 0 : 100),
    confirmationEmailsPerHour: e.CONFIRMATION_EMAILS_PER_HOUR,
    allowPrivateWebhooks: e.ALLOW_PRIVATE_WEBHOOKS === "true" || e.ALLOW_PRIVATE_WEBHOOKS === "1",
    chatConcurrency: e.CHAT_CONCURRENCY,
    mirror:
      e.MIRROR_DIR || e.MIRROR_COMMAND
        ? { dir: e.MIRROR_DIR ?? join(e.DATA_DIR, "mirror"), command: e.MIRROR_COMMAND }
        : undefined,
    backup: {
      dir: e.BACKUP_DIR ?? `${e.DATA_DIR.replace(/\/+$/, "")}/backups`,
      intervalMs: e.BACKUP_INTERVAL,
      keep: e.BACKUP_KEEP,
      copyCommand: e.BACKUP_COPY_COMMAND,
    },
    staffEmails: e.STAFF_EMAILS ?? [],
    metricsToken: e.METRICS_TOKEN,
    alertSeverityStatuses: e.ALERT_SEVERITY_STATUSES,
  };
}
