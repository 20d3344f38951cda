/**
 * A ping on a heartbeat's URL, as healthchecks.io takes them (hc/api/models.py `Check.ping`): a success makes it up,
 * a failure down, a start opens a run that must end within the grace. Only the token's hash is looked up. A paused
 * heartbeat logs the ping and changes nothing. Each ping is one read and one write; telling automation (rare: only
 * when the conclusion changes) is left to `settleHeartbeat` after the answer, and to the tick if that fails.
 */
import { eq, and, lte, sql } from "drizzle-orm";
import { sha256HexSync } from "@/api/ids";
import type { Deps } from "@/api/services/deps";
import { hitRateLimit } from "@/api/services/rate-limit";
import { runAtomically } from "@/db/client";
import { type Heartbeat, type HeartbeatPingKind, heartbeatPings, heartbeats } from "@/db/schema";
import { deadlines } from "./schedule";

export type Ping = {
  token: string;
  kind: HeartbeatPingKind;
  exitCode: number | null;
  method: string;
  clientAddress: string;
  userAgent: string | null;
  body: string | null;
};

export type PingOutcome =
  | { outcome: "recorded"; heartbeatId: string; settle: boolean }
  | { outcome: "unknown" }
  | { outcome: "limited"; retryAfterSeconds: number };

/** Per heartbeat, and for tokens that match none, per client address: pings in a minute. */
export type PingLimits = { perHeartbeat: number; unknownPerClient: number };
export const defaultPingLimits: PingLimits = { perHeartbeat: 30, unknownPerClient: 30 };
/** Pings kept per heartbeat. */
export const keptPings = 50;

export async function recordPing(deps: Deps, ping: Ping, limits = defaultPingLimits): Promise<PingOutcome> {
  const { db } = deps;
  const now = deps.clock();
  const [row] = await db
    .select()
    .from(heartbeats)
    .where(eq(heartbeats.tokenHash, sha256HexSync(ping.token)));
  const limit = row
    ? await hitRateLimit(db, `ping:${row.id}`, limits.perHeartbeat, 60_000, now)
    : await hitRateLimit(db, `ping-unknown:${ping.clientAddress}`, limits.unknownPerClient, 60_000, now);
  if (!limit.allowed) return { outcome: "limited", retryAfterSeconds: limit.retryAfterSeconds };
  if (!row) return { outcome: "unknown" };

  const change = row.paused ? null : changeFor(row, ping, now);
  await runAtomically(db, [
    ...(change ? [db.update(heartbeats).set(change).where(eq(heartbeats.id, row.id))] : []),
    db.insert(heartbeatPings).values({
      heartbeatId: row.id,
      at: now,
      kind: ping.kind,
      exitCode: ping.exitCode,
      method: ping.method,
      clientAddress: ping.clientAddress,
      userAgent: ping.userAgent,
      body: ping.body,
      ignored: row.paused,
    }),
    // Keeps the newest 50: the 51st newest and older go.
    db
      .delete(heartbeatPings)
      .where(
        and(
          eq(heartbeatPings.heartbeatId, row.id),
          lte(
            heartbeatPings.id,
            sql`(select id from heartbeat_pings where heartbeat_id = ${row.id} order by id desc limit 1 offset ${keptPings})`,
          ),
        ),
      ),
  ]);
  return { outcome: "recorded", heartbeatId: row.id, settle: change !== null && change.dueAt === now };
}

/** The heartbeat after a ping; `due_at` is now when automation must be told something new. */
function changeFor(row: Heartbeat, ping: Ping, now: number) {
  const next: Partial<Heartbeat> =
    ping.kind === "start"
      ? { lastStartAt: now }
      : ping.kind === "success"
        ? { status: "up", lastPingAt: now, lastStartAt: null, downReason: null }
        : { status: "down", lastPingAt: now, lastStartAt: null, downReason: failureReason(ping.exitCode) };
  const after = { ...row, ...next };
  const { lateAt, downAt } = deadlines(after);
  const dueAt = (after.status === "down") !== row.reported ? now : downAt;
  return { ...next, lateAt, downAt, dueAt, updatedAt: now };
}

const failureReason = (exitCode: number | null) =>
  exitCode === null ? "the job reported a failure (/fail)" : `the job reported a failure (exit code ${exitCode})`;
