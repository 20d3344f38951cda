import { and, eq, lte, or, sql } from "drizzle-orm";
import { runAtomically } from "@/db/client";
import { type ChatChannel, type ChatPost, chatChannels, chatPosts } from "@/db/schema";
import { type ChatOutcome, classifyChatAnswer, classifyChatFailure } from "@/api/chat/errors";
import { postUrl } from "@/api/chat/platforms";
import { originForLog, outboundOf } from "@/api/outbound/outbound";
import type { Deps } from "@/api/services/deps";
import { createChatPostBodies } from "./chat-post-bodies";
import { type ChatPacing, defaultChatPacing, outcomeStatements } from "./chat-outcomes";
import { createWakeLoop } from "./wake-loop";

export type ChatSenderOptions = Deps & {
  log?: (message: string) => void;
  pacing?: Partial<ChatPacing>;
  /** Requests in flight at once, over all channels (CHAT_CONCURRENCY, default 16). */
  concurrency?: number;
  timeoutMs?: number;
  /** How long a post stays `posting` before another run takes it for cut off (default: the timeout + 30 s). */
  leaseMs?: number;
  /** Stop taking posts after this time (UTC ms): an invocation's limits; the next run resumes. */
  deadline?: number;
  /** At most this many posts per run (a Workers invocation's subrequests). */
  maxPosts?: number;
  /**
   * Node, where one process owns the database: posts left `posting` by the previous process were cut off by its end,
   * so the first run takes them at once instead of after their lease.
   */
  resumeAtStart?: boolean;
  /** Called after a write that queued a staff alert (a channel disabled), to wake the staff alert sender. */
  onStaffAlert?: () => void;
  /** Wake again when the next post falls due (Node); without it, the next tick or request does. */
  wakeWhenDue?: boolean;
};

// Bodies of error answers are read for their code only.
const maxBodyRead = 4096;
// A wake further away than this is left to the ticker.
const maxSelfWakeMs = 60_000;

type Due = { post: ChatPost; channel: ChatChannel };

/**
 * Drains the chat outbox. Each post is marked `posting` (with a lease) before its request and `sent` after a 2xx, so a
 * crash loses nothing: a post still `posting` when its lease ends goes again (a duplicate only if the process died
 * between the platform's answer and the record). Posts of one channel go one at a time, in order, at most one per
 * `channelIntervalMs` and never before the channel's `not_before` (a 429's wait); at most `concurrency` requests are in
 * flight over all channels, and a slow channel holds one slot, never the others.
 */
export function createChatSender(options: ChatSenderOptions) {
  const { db, clock } = options;
  const log = options.log ?? (() => {});
  const pacing = { ...defaultChatPacing, ...options.pacing };
  const concurrency = options.concurrency ?? 16;
  const timeoutMs = options.timeoutMs ?? 10_000;
  const leaseMs = options.leaseMs ?? timeoutMs + 30_000;
  const outbound = outboundOf(options);
  const bodyOf = createChatPostBodies(options);
  let resumed = !options.resumeAtStart;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;

  const takeable = (now: number) =>
    or(
      and(eq(chatPosts.status, "pending"), lte(chatPosts.nextAttemptAt, now)),
      and(eq(chatPosts.status, "posting"), lte(chatPosts.leaseUntil, now)),
    );

  /** Posts due now, the first open post of each channel that may post now, leaving out channels in flight. */
  async function due(busy: string[], limit: number): Promise<Due[]> {
    const now = clock();
    return db
      .select({ post: chatPosts, channel: chatChannels })
      .from(chatPosts)
      .innerJoin(chatChannels, eq(chatChannels.id, chatPosts.channelId))
      .where(
        and(
          takeable(now),
          sql`(${chatChannels.notBefore} is null or ${chatChannels.notBefore} <= ${now})`,
          sql`${chatChannels.id} not in (select value from json_each(${JSON.stringify(busy)}))`,
          // In order: no older open post of the same channel.
          sql`not exists (select 1 from chat_posts e where e.channel_id = ${chatPosts.channelId}
                and e.status in ('pending', 'posting')
                and (e.created_at < ${chatPosts.createdAt} or (e.created_at = ${chatPosts.createdAt} and e.rowid < ${chatPosts}.rowid)))`,
        ),
      )
      .orderBy(chatPosts.nextAttemptAt, chatPosts.createdAt)
      .limit(limit);
  }

  /**
   * Marks due posts `posting` for this run alone, before their requests, in one statement: on Workers, two
   * invocations may drain at once, and a post the other took is not returned here.
   */
  async function claim(due: Due[]): Promise<Due[]> {
    if (due.length === 0) return [];
    const now = clock();
    const claimed = await db
      .update(chatPosts)
      .set({ status: "posting", leaseUntil: now + leaseMs, attempts: sql`${chatPosts.attempts} + 1` })
      .where(
        and(
          sql`${chatPosts.id} in (select value from json_each(${JSON.stringify(due.map((d) => d.post.id))}))`,
          takeable(now),
        ),
      )
      .returning();
    const byId = new Map(claimed.map((post) => [post.id, post]));
    return due.flatMap((d) => (byId.has(d.post.id) ? [{ post: byId.get(d.post.id)!, channel: d.channel }] : []));
  }

  async function send(channel: ChatChannel, body: string): Promise<ChatOutcome> {
    const url = new URL(postUrl(channel.platform, channel.url));
    // Discord answers 204 and drops a message it cannot save unless asked to wait for it.
    if (channel.platform === "discord") url.searchParams.set("wait", "true");
    try {
      // Checked again here (the name may resolve elsewhere now); a redirect comes back as the answer.
      const res = await outbound.fetch(url.toString(), {
        method: "POST",
        headers: { "content-type": "application/json; charset=utf-8", "user-agent": "Marquee" },
        body,
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = (await res.text()).slice(0, maxBodyRead);
      if (res.status >= 300 && res.status < 400) {
        return { kind: "transient", reason: `${channel.platform} ${res.status} (redirects are not followed)` };
      }
      return classifyChatAnswer(channel.platform, { status: res.status, body: text, headers: res.headers }, clock());
    } catch (error) {
      return classifyChatFailure(channel.platform, error);
    }
  }

  async function deliver({ post, channel }: Due) {
    const built = await bodyOf(post, channel, clock());
    const outcome: ChatOutcome = built.ok
      ? await send(channel, built.body)
      : { kind: "rejected", reason: built.reason };
    const { statements, disabled } = outcomeStatements(db, post, channel, outcome, clock(), pacing);
    await runAtomically(db, statements);
    if (outcome.kind === "ok") return;
    if (disabled) options.onStaffAlert?.();
    // The origin only: a webhook URL's path is its secret.
    const to = `${channel.platform} channel ${channel.id} (${originForLog(channel.url)})`;
    const what = disabled ? `failed, channel disabled: ${disabled}` : `${outcome.kind}: ${outcome.reason}`;
    log(`chat post ${post.id} to ${to} ${what}`);
  }

  async function drain() {
    if (!resumed) {
      await db.update(chatPosts).set({ leaseUntil: 0 }).where(eq(chatPosts.status, "posting"));
      resumed = true;
    }
    const inFlight = new Map<string, Promise<void>>();
    // Read ahead of the claims: one channel appears once at most (its first open post), never one in flight, and a
    // post another run took since fails its claim.
    let candidates: Due[] = [];
    let queue: Due[] = [];
    let taken = 0;
    const out = () =>
      (options.deadline !== undefined && clock() >= options.deadline) ||
      (options.maxPosts !== undefined && taken >= options.maxPosts);
    for (;;) {
      while (inFlight.size < concurrency) {
        if (queue.length === 0) {
          if (out()) break;
          if (candidates.length === 0) candidates = await due([...inFlight.keys()], concurrency * 8);
          // Claimed as they start, so a claimed post waits for no other request.
          const room = Math.min(concurrency - inFlight.size, (options.maxPosts ?? Infinity) - taken);
          queue = await claim(candidates.splice(0, room));
          taken += queue.length;
          if (queue.length === 0 && candidates.length > 0) continue;
        }
        const next = queue.shift();
        if (!next) break;
        const id = next.channel.id;
        const run = deliver(next)
          .catch((e: unknown) => log(`chat post ${next.post.id} stopped on an error: ${(e as Error)?.stack ?? e}`))
          .finally(() => inFlight.delete(id));
        inFlight.set(id, run);
      }
      if (inFlight.size === 0) break;
      await Promise.race(inFlight.values());
    }
    if (options.wakeWhenDue && !out()) await scheduleWake();
  }

  /** Sets a timer for the next post to fall due (a 429's wait, a channel's pace, a backoff) when it is near. */
  async function scheduleWake() {
    const [row] = await db
      .select({
        at: sql<number | null>`min(max(case when ${chatPosts.status} = 'posting' then ${chatPosts.leaseUntil}
               else ${chatPosts.nextAttemptAt} end, coalesce(${chatChannels.notBefore}, 0)))`,
      })
      .from(chatPosts)
      .innerJoin(chatChannels, eq(chatChannels.id, chatPosts.channelId))
      .where(sql`${chatPosts.status} in ('pending', 'posting')`);
    if (row?.at == null || stopped) return;
    const wait = Math.max(0, row.at - clock());
    if (wait > maxSelfWakeMs) return;
    clearTimeout(timer);
    timer = setTimeout(() => loop.wake(), wait + 5);
    timer.unref?.();
  }

  const loop = createWakeLoop("chat sender", drain, log);
  return {
    ...loop,
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
