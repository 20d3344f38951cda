/**
 * When a heartbeat expects its next ping, and what it is at a given moment. The rules are healthchecks.io's
 * (hc/api/models.py, `get_grace_start` and `get_status`): a ping is expected a period after the last one, or at the
 * schedule's next run after the minute of the last one, read in the heartbeat's time zone (so a daily 03:00 job is
 * expected 23 hours after Saturday's run when the clocks go forward). It is late from then, and down once the grace
 * has passed too. A start that is not followed by a success or a failure within the grace is down as well.
 */
import { Cron } from "croner";
import type { Heartbeat, HeartbeatStatus } from "@/db/schema";

export type HeartbeatTiming = Pick<Heartbeat, "periodSeconds" | "schedule" | "timeZone" | "graceSeconds">;
export type HeartbeatState = "new" | "up" | "late" | "down";

export function isTimeZone(timeZone: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone });
    return true;
  } catch {
    return false;
  }
}

const cron = (schedule: string, timeZone: string) => new Cron(schedule, { timezone: timeZone, mode: "5-part" });

/** Why a cron expression cannot be a heartbeat's schedule, or null when it can. */
export function scheduleProblem(schedule: string, timeZone: string): string | null {
  if (!/^(\S+\s+){4}\S+$/.test(schedule.trim())) {
    return "must be a cron expression of 5 fields (minute hour day-of-month month day-of-week)";
  }
  try {
    if (!cron(schedule, timeZone).nextRun()) return "never runs";
  } catch (error) {
    return `is not a valid cron expression (${(error as Error).message.replace(/^CronPattern: /, "")})`;
  }
  return null;
}

/** When the ping after one at `at` is expected; null when the schedule has no run left. */
export function expectedAfter(timing: HeartbeatTiming, at: number): number | null {
  if (timing.schedule === null) return at + timing.periodSeconds! * 1000;
  return cron(timing.schedule, timing.timeZone).nextRun(new Date(at))?.getTime() ?? null;
}

/** The moments a heartbeat turns late and down if no ping comes, given what its pings said so far. */
export function deadlines(
  heartbeat: HeartbeatTiming & Pick<Heartbeat, "paused" | "lastPingAt" | "lastStartAt"> & { status: HeartbeatStatus },
): { lateAt: number | null; downAt: number | null } {
  if (heartbeat.paused || heartbeat.status === "down") return { lateAt: null, downAt: null };
  const grace = heartbeat.graceSeconds * 1000;
  const lateAt =
    heartbeat.status === "up" && heartbeat.lastPingAt !== null ? expectedAfter(heartbeat, heartbeat.lastPingAt) : null;
  const started = heartbeat.lastStartAt !== null ? heartbeat.lastStartAt + grace : null;
  const late = lateAt !== null ? lateAt + grace : null;
  const downAt = started !== null && late !== null ? Math.min(started, late) : (started ?? late);
  return { lateAt, downAt };
}

/** What a heartbeat is at `now`, whether or not the tick has recorded it yet. */
export function stateAt(heartbeat: Pick<Heartbeat, "status" | "lateAt" | "downAt">, now: number): HeartbeatState {
  if (heartbeat.status === "down") return "down";
  if (heartbeat.downAt !== null && now >= heartbeat.downAt) return "down";
  if (heartbeat.lateAt !== null && now >= heartbeat.lateAt) return "late";
  return heartbeat.status;
}
