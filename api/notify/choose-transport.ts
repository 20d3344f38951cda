import { join } from "node:path";
import type { Config } from "@/api/config";
import { createDevTransport } from "./dev-transport";
import { createSmtpTransport } from "./smtp-transport";
import type { MailTransport } from "./transport";

/** Resend when RESEND_API_KEY is set, else SMTP when SMTP_URL is, else .eml files in DATA_DIR/outbox. */
export async function chooseTransport(
  config: Config,
  log: (m: string) => void,
): Promise<MailTransport & { maxChunkSize?: number }> {
  if (config.resend.apiKey) {
    const [{ createResendTransport }, { nodePost }] = await Promise.all([
      import("./resend-transport"),
      import("./node-post"),
    ]);
    return createResendTransport({
      post: nodePost,
      apiKey: config.resend.apiKey,
      baseUrl: config.resend.baseUrl,
      requestsPerSecond: config.resend.rateLimit,
    });
  }
  if (config.smtpUrl) return createSmtpTransport({ url: config.smtpUrl });
  const dir = join(config.dataDir, "outbox");
  log(`Email: no RESEND_API_KEY or SMTP_URL, so emails are written to ${dir}`);
  return createDevTransport({ dir, log });
}
