import { z } from "zod";
import { automaticIncidentModes } from "@/db/schema";
import { isTimeZone, scheduleProblem } from "./schedule";

/** Input schemas of the heartbeat API; the OpenAPI document is generated from them too. */

const Name = z.string().trim().min(1, "must not be empty").max(255);
const day = 24 * 3600;
// A heartbeat checked every 5 s on Node and every minute on Workers cannot tell lateness finer than a minute.
const Period = z
  .int()
  .min(60, "must be at least 60 seconds")
  .max(365 * day);
const Grace = z
  .int()
  .min(60, "must be at least 60 seconds")
  .max(365 * day);
const Schedule = z.string().trim().min(1).max(100);
const TimeZone = z.string().max(64).refine(isTimeZone, "is not a known IANA time zone (such as Europe/Berlin or UTC)");
/** The status a heartbeat asks for while it is down: a problem, never operational or maintenance. */
export const heartbeatDownStatuses = ["degraded_performance", "partial_outage", "major_outage"] as const;

const fields = {
  name: Name,
  period_seconds: Period,
  schedule: Schedule,
  time_zone: TimeZone,
  grace_seconds: Grace,
  component_id: z.string().min(1).max(64).nullable(),
  down_status: z.enum(heartbeatDownStatuses),
  incident: z.enum(automaticIncidentModes),
  notify: z.boolean(),
  paused: z.boolean(),
};

type Timing = { period_seconds?: number | null; schedule?: string | null; time_zone?: string };

/** A schedule must be a 5-field cron expression that runs, in its time zone. */
function checkSchedule(value: Timing, ctx: z.RefinementCtx) {
  if (!value.schedule) return;
  const problem = scheduleProblem(value.schedule, value.time_zone ?? "UTC");
  if (problem) ctx.addIssue({ code: "custom", path: ["schedule"], message: problem });
}

export const HeartbeatCreate = z
  .strictObject({
    name: fields.name,
    period_seconds: fields.period_seconds.optional(),
    schedule: fields.schedule.optional(),
    time_zone: fields.time_zone.default("UTC"),
    grace_seconds: fields.grace_seconds.default(3600),
    component_id: fields.component_id.optional(),
    down_status: fields.down_status.default("major_outage"),
    incident: fields.incident.default("off"),
    notify: fields.notify.default(false),
    paused: fields.paused.default(false),
  })
  .superRefine((value, ctx) => {
    if ((value.period_seconds === undefined) === (value.schedule === undefined)) {
      ctx.addIssue({ code: "custom", path: ["period_seconds"], message: "give either period_seconds or schedule" });
    }
    checkSchedule(value, ctx);
  });
export type HeartbeatCreate = z.infer<typeof HeartbeatCreate>;

/** Giving a period drops the schedule and the other way round; the time zone is checked with the schedule it reads. */
export const HeartbeatPatch = z
  .strictObject({
    name: fields.name.optional(),
    period_seconds: fields.period_seconds.optional(),
    schedule: fields.schedule.optional(),
    time_zone: fields.time_zone.optional(),
    grace_seconds: fields.grace_seconds.optional(),
    component_id: fields.component_id.optional(),
    down_status: fields.down_status.optional(),
    incident: fields.incident.optional(),
    notify: fields.notify.optional(),
    paused: fields.paused.optional(),
  })
  .refine((patch) => Object.values(patch).some((v) => v !== undefined), "send at least one field to change")
  .superRefine((value, ctx) => {
    if (value.period_seconds !== undefined && value.schedule !== undefined) {
      ctx.addIssue({ code: "custom", path: ["period_seconds"], message: "give either period_seconds or schedule" });
    }
  });
export type HeartbeatPatch = z.infer<typeof HeartbeatPatch>;
