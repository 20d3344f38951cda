// Sends notifications over SMTP (SMTP_URL) with one pooled nodemailer transporter (reference §8).
//
// SMTP has no idempotency key: a server that accepted a message has delivered it, and sending it again delivers it
// twice. Exactly-once across a crash therefore rests on the outbox marking each email as soon as it is accepted, and
// a chunk result can only say "all sent" or "none sent". So this transport takes chunks of exactly one email
// (`maxChunkSize = 1`): a failure then always means that one email was not accepted, and a retry repeats nothing.
// The one window left is a crash between the server's 250 and the outbox's write, which no SMTP client can close.
import nodemailer from "nodemailer";
import type { SendMailOptions } from "nodemailer";
import { type ChunkResult, type MailTransport, type OutgoingEmail, wholeBody } from "@/api/notify/transport";
import { assertHeaderSafe } from "@/api/notify/headers";

export type SmtpTransportOptions = {
  /** `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://user:pass@host:465` (implicit TLS). */
  url: string;
  /** Emails per second; the sender paces chunks by it and the pool enforces it too. Default 5. */
  requestsPerSecond?: number;
};

export type SmtpTransport = MailTransport & { readonly maxChunkSize: 1 };

const threadingFields = new Set(["message-id", "in-reply-to", "references"]);

/** Our email as nodemailer's options: threading headers go to the fields nodemailer writes verbatim (§6). */
export function toMailOptions(email: OutgoingEmail): SendMailOptions {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(email.headers)) {
    assertHeaderSafe(value, name);
    if (!threadingFields.has(name.toLowerCase())) headers[name] = value;
  }
  const header = (name: string) => Object.entries(email.headers).find(([key]) => key.toLowerCase() === name)?.[1];
  const references = header("references");
  return {
    from: assertHeaderSafe(email.from, "from"),
    to: assertHeaderSafe(email.to, "to"),
    subject: assertHeaderSafe(email.subject, "subject"),
    text: wholeBody(email.text),
    html: wholeBody(email.html),
    messageId: header("message-id"),
    inReplyTo: header("in-reply-to"),
    references: references ? references.split(/\s+/) : undefined,
    headers,
  };
}

type SmtpError = { code?: string; responseCode?: number; response?: string; message?: string };

// RFC 5321 §4.2.1: 4yz is transient, 5yz permanent. Without a reply code the connection failed (ECONNECTION,
// ETIMEDOUT, ESOCKET, EDNS, ETLS…), which is transient. A rejected login (535) is treated as transient too: it is a
// configuration error that staff fix, not a fact about the recipient, and must not fail every queued email for good.
function classify(err: SmtpError): { retryable: boolean; error: string } {
  const code = err.responseCode;
  const detail = err.response ?? err.message ?? "unknown error";
  const error = `SMTP ${code ?? err.code ?? "error"}: ${detail}`.slice(0, 500);
  if (code === undefined) return { retryable: err.code !== "EMESSAGE" && err.code !== "ECONFIG", error };
  if (err.code === "EAUTH") return { retryable: true, error };
  // 503 is "bad sequence of commands": the session was in the wrong state, not the message refused.
  return { retryable: code < 500 || code === 503, error };
}

export function createSmtpTransport({ url, requestsPerSecond = 5 }: SmtpTransportOptions): SmtpTransport {
  const transporter = nodemailer.createTransport({
    url,
    pool: true,
    maxConnections: 3,
    maxMessages: 100,
    rateDelta: 1000,
    rateLimit: Math.max(1, Math.ceil(requestsPerSecond)),
    // nodemailer waits minutes by default; a sender that gives up sooner retries sooner.
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 60_000,
  });

  return {
    name: "smtp",
    requestsPerSecond,
    maxChunkSize: 1,
    async sendChunk(emails: OutgoingEmail[]): Promise<ChunkResult> {
      if (emails.length > 1) {
        // A programming error in the caller, not a delivery failure: see the comment at the top of this file.
        throw new RangeError(`the SMTP transport sends one email per chunk, got ${emails.length}`);
      }
      const ids: string[] = [];
      for (const email of emails) {
        let options: SendMailOptions;
        try {
          options = toMailOptions(email);
        } catch (err) {
          return { ok: false, retryable: false, error: (err as Error).message };
        }
        try {
          const info = await transporter.sendMail(options);
          ids.push(info.messageId);
        } catch (err) {
          return { ok: false, ...classify(err as SmtpError) };
        }
      }
      return { ok: true, ids };
    },
    async close() {
      transporter.close();
    },
  };
}
