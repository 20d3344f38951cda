import { z } from "zod";

const optional = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === "" ? undefined : v.trim()));

const ConfigSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATA_DIR: z.string().default("./data"),
  SITE_URL: optional.pipe(z.url({ protocol: /^https?$/ }).optional()),
  ADMIN_API_KEY: optional.pipe(z.string().min(16, "ADMIN_API_KEY must be at least 16 characters").optional()),
  RESEND_API_KEY: optional,
  RESEND_BASE_URL: optional,
  RESEND_RATE_LIMIT: z.coerce.number().positive().default(2),
  RESEND_WEBHOOK_SECRET: optional,
  EMAIL_FROM: optional,
  SMTP_URL: optional,
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
    allowPrivateWebhooks: e.ALLOW_PRIVATE_WEBHOOKS === "true" || e.ALLOW_PRIVATE_WEBHOOKS === "1",
  };
}
