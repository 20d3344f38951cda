import { type ChatOutcome, classifyChatAnswer, classifyChatFailure } from "@/api/chat/errors";
import { staffAlertMessages } from "@/api/chat/staff-messages";
import { type ChatPlatform, chatPlatforms, postUrl } from "@/api/chat/platforms";
import type { Attempt, Channel, ChannelDeps } from "./staff-alert-channels";

// Bodies of error answers are read for their code only; a platform's HTML error page is not kept whole.
const maxBodyRead = 4096;

/** What the staff alert sender does with a platform's answer. */
export function attemptOf(outcome: ChatOutcome): Attempt {
  switch (outcome.kind) {
    case "ok":
      return { ok: true };
    case "permanent":
      return { ok: false, error: outcome.reason, retryable: false, disable: true };
    case "rejected":
      return { ok: false, error: outcome.reason, retryable: false };
    case "rate_limited":
      return { ok: false, error: outcome.reason, retryable: true, retryAfterMs: outcome.retryAfterMs };
    case "transient":
      return { ok: false, error: outcome.reason, retryable: true };
  }
}

/** Posts a staff alert as the platform's native message, through the outbound guard (checked again at send time). */
function chatChannel(platform: ChatPlatform, { outbound, clock, timeoutMs }: ChannelDeps): Channel {
  return async ({ alert, destination }, page) => {
    const message = staffAlertMessages[platform]({
      subject: alert.subject,
      text: alert.text,
      link: alert.link,
      pageName: page.name,
    });
    try {
      const res = await outbound.fetch(postUrl(platform, destination.target), {
        method: "POST",
        headers: { "content-type": "application/json; charset=utf-8", "user-agent": "Marquee staff alerts" },
        body: JSON.stringify(message),
        signal: AbortSignal.timeout(timeoutMs),
      });
      const body = (await res.text()).slice(0, maxBodyRead);
      return attemptOf(classifyChatAnswer(platform, { status: res.status, body, headers: res.headers }, clock()));
    } catch (error) {
      return attemptOf(classifyChatFailure(platform, error));
    }
  };
}

export const staffChatChannels = (deps: ChannelDeps) =>
  Object.fromEntries(chatPlatforms.map((p) => [p, chatChannel(p, deps)])) as Record<ChatPlatform, Channel>;
