import type { Heartbeat, HeartbeatPing } from "@/db/schema";
import { stateAt } from "./schedule";

const iso = (at: number | null) => (at === null ? null : new Date(at).toISOString());

/** A heartbeat as the API shows it. The ping URL is not here: it is shown once, at creation and on rotation. */
export const presentHeartbeat = (h: Heartbeat, now: number) => ({
  id: h.id,
  name: h.name,
  state: stateAt(h, now),
  paused: h.paused,
  period_seconds: h.periodSeconds,
  schedule: h.schedule,
  time_zone: h.timeZone,
  grace_seconds: h.graceSeconds,
  component_id: h.componentId,
  down_status: h.downStatus,
  incident: h.incidentMode,
  notify: h.notify,
  last_ping_at: iso(h.lastPingAt),
  last_start_at: iso(h.lastStartAt),
  late_at: iso(h.lateAt),
  down_at: iso(h.downAt),
  down_reason: stateAt(h, now) === "down" ? h.downReason : null,
  report_error: h.reportError,
  created_at: iso(h.createdAt),
  updated_at: iso(h.updatedAt),
});

export const presentPing = (p: HeartbeatPing) => ({
  at: iso(p.at),
  kind: p.kind,
  exit_code: p.exitCode,
  method: p.method,
  client_address: p.clientAddress,
  user_agent: p.userAgent,
  body: p.body,
  ignored: p.ignored,
});
