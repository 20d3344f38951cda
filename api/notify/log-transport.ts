import { withoutLinkTokens } from "@/present/redact";
import { type MailTransport, wholeBody } from "./transport";

/**
 * Emails printed to the log instead of sent: for `npm run worker:dev`, where there is no disk for .eml files and no
 * Resend account. Each email is one block with its subject, headers and text, without its recipient, and with the
 * tokens of its links (confirm, unsubscribe, manage) taken out: a log is read by more people than the inbox is.
 */
export function createLogTransport(log: (text: string) => void): MailTransport {
  let sent = 0;
  return {
    name: "log",
    requestsPerSecond: 100,
    async sendChunk(emails, idempotencyKey) {
      const ids = emails.map((email) => {
        const id = `log-${++sent}`;
        const headers = Object.entries(email.headers).map(([name, value]) => `${name}: ${value}`);
        log(
          withoutLinkTokens(
            [
              `--- email ${id} (${idempotencyKey})`,
              `Subject: ${email.subject}`,
              ...headers,
              "",
              wholeBody(email.text),
            ].join("\n"),
          ),
        );
        return id;
      });
      return { ok: true, ids };
    },
  };
}
