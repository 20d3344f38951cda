import { and, eq, inArray, sql } from "drizzle-orm";
import type { Db, Statement } from "@/db/client";
import { type ChatChannel, type ChatPost, chatChannels, chatPosts } from "@/db/schema";
import type { ChatOutcome } from "@/api/chat/errors";
import { chatPlatformLabels } from "@/api/chat/platforms";
import { staffAlertStatements } from "@/api/services/staff-alerts";

/** How the sender paces and gives up; see docs/chat.md. */
export type ChatPacing = {
  /** The least time between two posts to one channel: Slack and Discord allow about one a second per webhook. */
  channelIntervalMs: number;
  /** The first retry's wait after a transient failure; each next one doubles, up to an hour. */
  backoffMs: number;
  /** A channel failing this long without one post landing is disabled, and staff are told. */
  disableAfterMs: number;
};

export const defaultChatPacing: ChatPacing = {
  channelIntervalMs: 1000,
  backoffMs: 30_000,
  disableAfterMs: 3 * 24 * 3600_000,
};

const openPosts = ["pending", "posting"] as const;

/** Statements that disable a channel with its reason and fail what it still had queued. */
export function disableChannelStatements(db: Db, channelId: string, reason: string, now: number): Statement[] {
  return [
    db
      .update(chatChannels)
      .set({ status: "disabled", disabledAt: now, disabledReason: reason, updatedAt: now })
      .where(eq(chatChannels.id, channelId)),
    db
      .update(chatPosts)
      .set({ status: "failed", lastError: `channel disabled: ${reason}`, leaseUntil: null })
      .where(and(eq(chatPosts.channelId, channelId), inArray(chatPosts.status, [...openPosts]))),
  ];
}

/**
 * The write that records one attempt: the post's new state and its channel's (pacing, run of failures, disabling),
 * as one atomic list of statements.
 */
export function outcomeStatements(
  db: Db,
  post: ChatPost,
  channel: ChatChannel,
  outcome: ChatOutcome,
  now: number,
  pacing: ChatPacing,
): { statements: Statement[]; disabled: string | null } {
  const thisPost = eq(chatPosts.id, post.id);
  const thisChannel = eq(chatChannels.id, channel.id);
  const next = now + pacing.channelIntervalMs;
  const failThis = (error: string) =>
    db.update(chatPosts).set({ status: "failed", lastError: error, leaseUntil: null }).where(thisPost);
  switch (outcome.kind) {
    case "ok":
      return {
        disabled: null,
        statements: [
          db.update(chatPosts).set({ status: "sent", sentAt: now, lastError: null, leaseUntil: null }).where(thisPost),
          db.update(chatChannels).set({ notBefore: next, failingSince: null }).where(thisChannel),
        ],
      };
    case "rejected":
      return {
        disabled: null,
        statements: [
          db.update(chatPosts).set({ status: "failed", lastError: outcome.reason, leaseUntil: null }).where(thisPost),
          db.update(chatChannels).set({ notBefore: next }).where(thisChannel),
        ],
      };
    case "rate_limited": {
      const until = now + Math.max(outcome.retryAfterMs, pacing.channelIntervalMs);
      return {
        disabled: null,
        statements: [
          db
            .update(chatPosts)
            .set({ status: "pending", nextAttemptAt: until, lastError: outcome.reason, leaseUntil: null })
            .where(thisPost),
          db.update(chatChannels).set({ notBefore: until }).where(thisChannel),
        ],
      };
    }
    case "permanent": {
      const statements = [failThis(outcome.reason), ...disableChannelStatements(db, channel.id, outcome.reason, now)];
      // A customer deleting their webhook is their business; a broadcast channel gone is the staff's.
      if (channel.purpose === "broadcast") statements.push(...alertStatements(db, channel, outcome.reason, now));
      return { disabled: outcome.reason, statements };
    }
    case "transient": {
      const since = channel.failingSince ?? now;
      if (now - since >= pacing.disableAfterMs) {
        const days = Math.round((now - since) / (24 * 3600_000));
        const reason = `failing for ${days} days, last: ${outcome.reason}`;
        return {
          disabled: reason,
          statements: [
            failThis(outcome.reason),
            ...disableChannelStatements(db, channel.id, reason, now),
            ...alertStatements(db, channel, reason, now),
          ],
        };
      }
      const wait = Math.min(3600_000, pacing.backoffMs * 2 ** Math.max(0, post.attempts - 1));
      return {
        disabled: null,
        statements: [
          db
            .update(chatPosts)
            .set({ status: "pending", nextAttemptAt: now + wait, lastError: outcome.reason, leaseUntil: null })
            .where(thisPost),
          db
            .update(chatChannels)
            .set({ notBefore: next, failingSince: sql`coalesce(${chatChannels.failingSince}, ${now})` })
            .where(thisChannel),
        ],
      };
    }
  }
}

/** Tells staff a channel was disabled, in the same write that disables it. */
function alertStatements(db: Db, channel: ChatChannel, reason: string, now: number): Statement[] {
  const label = chatPlatformLabels[channel.platform];
  const which = channel.name ? `"${channel.name}"` : channel.id;
  const whose = channel.purpose === "broadcast" ? "broadcast channel" : "subscriber channel";
  return staffAlertStatements(
    db,
    {
      key: `chat-channel-disabled-${channel.id}-${now}`,
      kind: "chat_channel_disabled",
      subject: `${label} ${whose} ${which} disabled`,
      text: `Marquee stopped posting to the ${label} ${whose} ${which}: ${reason}. Re-enable it once the webhook works again.`,
    },
    now,
  );
}
