import type { HeartbeatTiming } from "./schedule";

/** A moment as the staff read it in alerts: "2026-11-25 04:30 UTC". */
export const utcMinute = (at: number) => `${new Date(at).toISOString().slice(0, 16).replace("T", " ")} UTC`;

/** "1 h", "10 min", "90 s": a duration in the largest unit that divides it. */
export function duration(seconds: number): string {
  if (seconds % 86400 === 0) return `${seconds / 86400} d`;
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/** How a heartbeat's timing reads in a staff alert. */
export function describeTiming(timing: HeartbeatTiming) {
  return {
    expected:
      timing.schedule === null
        ? `every ${duration(timing.periodSeconds!)}`
        : `schedule "${timing.schedule}" in ${timing.timeZone}`,
    grace: duration(timing.graceSeconds),
  };
}
