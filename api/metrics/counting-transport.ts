import type { MailTransport } from "@/api/notify/transport";
import type { Metrics } from "./metrics";

type Transport = MailTransport & { maxChunkSize?: number };

/** The same transport, counting the emails each chunk sent or failed to send, under the transport's name. */
export function countingTransport(transport: Transport, metrics: Pick<Metrics, "onEmails">): Transport {
  return {
    name: transport.name,
    requestsPerSecond: transport.requestsPerSecond,
    maxInFlight: transport.maxInFlight,
    maxChunkSize: transport.maxChunkSize,
    close: transport.close && (() => transport.close!()),
    async sendChunk(emails, key) {
      try {
        const result = await transport.sendChunk(emails, key);
        metrics.onEmails(
          transport.name,
          result.ok ? { sent: emails.length } : { failed: emails.length, retryable: result.retryable },
        );
        return result;
      } catch (error) {
        metrics.onEmails(transport.name, { failed: emails.length, retryable: true });
        throw error;
      }
    },
  };
}
