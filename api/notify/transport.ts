/**
 * A body, whole or as the pieces it is made of, in order. The emails of one notification are built from the same
 * shared pieces (the same string objects) with each recipient's own pieces between them, so a transport that
 * serialises a batch can encode each shared piece once per batch instead of once per email.
 */
export type EmailBody = string | readonly string[];

/** The body as one string. */
export const wholeBody = (body: EmailBody): string => (typeof body === "string" ? body : body.join(""));

/** One email as Marquee hands it to a transport. Every header value is already free of CR and LF. */
export type OutgoingEmail = {
  from: string;
  to: string;
  subject: string;
  text: EmailBody;
  html: EmailBody;
  /** Extra headers: Message-ID, In-Reply-To, References, List-Unsubscribe, List-Unsubscribe-Post. */
  headers: Record<string, string>;
};

/**
 * The outcome of sending one chunk. `sent` carries a provider id per email, in order. A failure says whether the
 * same chunk may be tried again (network errors, 429, 5xx) and, when the provider said so, after how long.
 */
export type ChunkResult =
  { ok: true; ids: string[] } | { ok: false; retryable: boolean; retryAfterMs?: number; error: string };

/**
 * Sends a chunk of at most 100 emails. `idempotencyKey` is the same every time the same chunk is sent, so a chunk
 * retried after a crash is not delivered twice (Resend keeps keys for 24 hours).
 */
export interface MailTransport {
  readonly name: string;
  /** Requests per second this transport may make; the sender paces chunks by it. */
  readonly requestsPerSecond: number;
  /**
   * Chunks the sender may have in flight at once (default 1). The transport still starts its requests at its own
   * pace; more in flight only lets the next chunks be built, and earlier answers be awaited, meanwhile.
   */
  readonly maxInFlight?: number;
  sendChunk(emails: OutgoingEmail[], idempotencyKey: string): Promise<ChunkResult>;
  close?(): Promise<void>;
}
