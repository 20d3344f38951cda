import type { StaffAlert, StaffAlertDelivery, StaffDestination, StaffDestinationKind } from "@/db/schema";
import { describeOutboundError, type Outbound } from "@/api/outbound/outbound";
import { escapeText } from "@/present/escape";
import type { PageInfo } from "@/present/views";
import { defaultFrom } from "./from";
import { stripLineBreaks } from "./headers";
import type { MailTransport } from "./transport";
import { staffChatChannels } from "./staff-chat-channel";
import { signWebhook } from "./webhook-sender";

/** One delivery as the sender hands it to a channel: the alert, and where it goes. */
export type StaffDelivery = { delivery: StaffAlertDelivery; alert: StaffAlert; destination: StaffDestination };

/**
 * What one attempt came to. `disable`: the destination refuses for good (a webhook that answers 410 Gone; later a
 * deleted chat channel), so it is disabled with the error as its reason instead of being tried ten times per alert.
 * `retryAfterMs`: the destination said when to come back (a 429).
 */
export type Attempt =
  { ok: true } | { ok: false; error: string; retryable: boolean; retryAfterMs?: number; disable?: boolean };

/** Sends one delivery of its kind. A chat platform adds one, with its own message shape, limits and errors. */
export type Channel = (due: StaffDelivery, page: PageInfo) => Promise<Attempt>;

export type ChannelDeps = {
  transport: MailTransport;
  emailFrom?: string;
  outbound: Outbound;
  clock: () => number;
  timeoutMs: number;
};

/** The JSON a staff webhook receives, signed like subscriber webhooks (X-Marquee-Signature). */
export function staffAlertPayload(alert: StaffAlert, page: PageInfo) {
  return {
    type: "staff_alert",
    kind: alert.kind,
    subject: alert.subject,
    text: alert.text,
    link: alert.link,
    created_at: new Date(alert.createdAt).toISOString(),
    page: { name: page.name, url: page.url },
  };
}

/** The plain text of a staff alert email; the HTML part is the same text, escaped. */
export function staffAlertText(alert: StaffAlert): string {
  return [
    alert.text,
    ...(alert.link ? ["", alert.link] : []),
    "",
    "-- ",
    "A staff alert from Marquee. It goes to staff destinations (GET /api/v1/staff-destinations), never to subscribers.",
  ].join("\n");
}

/** Email through the mail transport, one message per delivery. */
function emailChannel({ transport, emailFrom }: ChannelDeps): Channel {
  return async ({ delivery, alert, destination }, page) => {
    const text = staffAlertText(alert);
    const mail = {
      from: emailFrom ?? defaultFrom(page),
      to: destination.target,
      subject: stripLineBreaks(alert.subject),
      text,
      html: `<pre>${escapeText(text)}</pre>`,
      headers: {},
    };
    // The delivery's id as the key: a send retried after a crash is not delivered twice by Resend.
    const result = await transport
      .sendChunk([mail], `marquee/staff/${delivery.id}`)
      .catch((error: unknown) => ({ ok: false as const, retryable: true, error: String(error) }));
    return result.ok ? { ok: true } : result;
  };
}

/**
 * A signed JSON POST through the outbound guard; 2xx is delivered, 410 disables the destination, 429's Retry-After
 * (in seconds) sets the next try.
 */
function webhookChannel({ outbound, clock, timeoutMs }: ChannelDeps): Channel {
  return async ({ delivery, alert, destination }, page) => {
    const body = JSON.stringify(staffAlertPayload(alert, page));
    try {
      // The URL is checked again here: its name may resolve elsewhere now than at registration (DNS rebinding).
      const res = await outbound.fetch(destination.target, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "user-agent": "Marquee staff alerts",
          "x-marquee-delivery": delivery.id,
          "x-marquee-signature": await signWebhook(destination.secret ?? "", body, Math.floor(clock() / 1000)),
        },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      await res.body?.cancel();
      if (res.status >= 200 && res.status < 300) return { ok: true };
      if (res.status === 410) return { ok: false, error: "answered 410 Gone", retryable: false, disable: true };
      if (res.status === 429) {
        // Seconds only; an HTTP date is rare from webhook receivers and falls back to the usual backoff.
        const seconds = Number(res.headers.get("retry-after") ?? Number.NaN);
        const retryAfterMs = Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds, 3600) * 1000 : undefined;
        return { ok: false, error: "answered 429", retryable: true, retryAfterMs };
      }
      const redirect = res.status >= 300 && res.status < 400 ? " (redirects are not followed)" : "";
      return { ok: false, error: `answered ${res.status}${redirect}`, retryable: true };
    } catch (error) {
      return { ok: false, error: describeOutboundError(error), retryable: true };
    }
  };
}

/** Every kind of destination has its channel: the type makes a new kind without one a compile error. */
export const staffAlertChannels = (deps: ChannelDeps): Record<StaffDestinationKind, Channel> => ({
  email: emailChannel(deps),
  webhook: webhookChannel(deps),
  ...staffChatChannels(deps),
});
