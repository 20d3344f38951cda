/**
 * How results become a monitor's state. Thresholds keep one lost packet from flapping the page: the state worsens
 * only after `failureThreshold` results in a row at least that bad, and improves only after `successThreshold`
 * results in a row at least that good. Pure: the runner feeds it the stored levels and one new result.
 */
import type { ComponentStatus, MonitorState } from "@/db/vocabulary";
import type { CheckResult } from "./check-types";

/** A result's level: 0 up, 1 degraded, 2 down. */
export type Level = 0 | 1 | 2;
export const levelOf = (outcome: CheckResult["outcome"]): Level =>
  outcome === "up" ? 0 : outcome === "degraded" ? 1 : 2;

/** Thresholds go up to this, so the last results kept in `recent` always cover them. */
export const maxThreshold = 10;

export type MonitorMemory = {
  state: MonitorState;
  stateStatus: ComponentStatus | null;
  /** The last results' levels, oldest first ("0012"). */
  recent: string;
  failureThreshold: number;
  successThreshold: number;
  /** The status a down monitor stands for (a provider's own, for a Statuspage monitor, wins). */
  downStatus: ComponentStatus;
};

export type Judgement = {
  state: MonitorState;
  /** The component status the state stands for: null while up or pending. */
  status: ComponentStatus | null;
  recent: string;
  /** The state or its status changed: a detection to apply. */
  changed: boolean;
};

export function judge(memory: MonitorMemory, result: Pick<CheckResult, "outcome" | "providerStatus">): Judgement {
  const level = levelOf(result.outcome);
  const recent = (memory.recent + level).slice(-maxThreshold);
  const streak = (ok: (l: number) => boolean) => {
    let n = 0;
    for (let i = recent.length - 1; i >= 0 && ok(Number(recent[i])); i--) n++;
    return n;
  };
  const failing = memory.failureThreshold;
  const passing = memory.successThreshold;
  const from = memory.state;

  let state: MonitorState;
  if (streak((l) => l === 2) >= failing) state = "down";
  else if (from === "down")
    state = streak((l) => l === 0) >= passing ? "up" : streak((l) => l <= 1) >= passing ? "degraded" : "down";
  else if (streak((l) => l >= 1) >= failing) state = "degraded";
  else if (from === "degraded") state = streak((l) => l === 0) >= passing ? "up" : "degraded";
  else if (from === "pending") state = level === 0 ? "up" : "pending";
  else state = "up";

  const statusOf = (s: MonitorState): ComponentStatus | null => {
    if (s === "down") return level === 2 && result.providerStatus ? result.providerStatus : memory.downStatus;
    if (s === "degraded") return level === 1 && result.providerStatus ? result.providerStatus : "degraded_performance";
    return null;
  };
  if (state !== from) return { state, status: statusOf(state), recent, changed: true };
  // Same state: a provider's status may still move within it (partial → major outage).
  const status =
    (state === "down" && level === 2) || (state === "degraded" && level === 1) ? statusOf(state) : memory.stateStatus;
  return { state, status, recent, changed: status !== memory.stateStatus };
}
