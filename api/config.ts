import { z } from "zod";
import { weakKeyReason } from "./key-strength";
import { parseTrustProxy, type TrustProxy } from "./middleware/trust-proxy";

const optional = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));

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
  EMAIL_FROM: optional,
  SMTP_URL: optional,
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
  };
}
