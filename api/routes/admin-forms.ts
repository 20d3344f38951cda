import type { FormBody } from "@/api/http";
import { instantFromWallClock } from "@/present/time";

/** Form fields as the console posts them, turned into the shapes of the staff API's zod schemas (api/schemas.ts). */

export type { FormBody };

const texts = (body: FormBody, name: string): string[] =>
  [body[name] ?? []].flat().filter((v): v is string => typeof v === "string");
const text = (body: FormBody, name: string) => texts(body, name)[0];
/** An empty field means "not given", so that the service's default (such as the status's template body) applies. */
const optional = (body: FormBody, name: string) => text(body, name) || undefined;
const checked = (body: FormBody, name: string) => text(body, name) !== undefined;

/** Selects named `component:<id>` with a status; an empty one means the component is not affected. */
function componentStatuses(body: FormBody): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(body)) {
    const status = key.startsWith("component:") ? text(body, key) : undefined;
    if (status) out[key.slice("component:".length)] = status;
  }
  return out;
}

export const componentForm = (body: FormBody) => ({ status: text(body, "status") });

export const openIncidentForm = (body: FormBody) => ({
  name: text(body, "name") ?? "",
  status: optional(body, "status"),
  body: optional(body, "body"),
  components: componentStatuses(body),
  notify: checked(body, "notify"),
});

export const incidentUpdateForm = (body: FormBody) => ({
  status: optional(body, "status"),
  body: optional(body, "body"),
  notify: checked(body, "notify"),
});

export const resolveForm = (body: FormBody) => ({ body: optional(body, "body"), notify: checked(body, "notify") });

/** Start and end are wall-clock times in the page's time zone; a value that is no such time is passed on for zod to refuse. */
export function maintenanceForm(body: FormBody, timeZone: string) {
  const instant = (name: string) => {
    const raw = text(body, name) ?? "";
    const ms = instantFromWallClock(raw, timeZone);
    return ms === null ? raw : new Date(ms).toISOString();
  };
  return {
    name: text(body, "name") ?? "",
    body: optional(body, "body"),
    scheduled_for: instant("start"),
    scheduled_until: instant("end"),
    components: texts(body, "components"),
    notify: checked(body, "notify"),
    reminders: texts(body, "reminders"),
    repeat: repeatFields(body),
  };
}

/** "Repeats": none, or every week or month, with an optional last date and number of occurrences. */
function repeatFields(body: FormBody) {
  const every = optional(body, "repeat_every");
  if (!every) return undefined;
  return { every, until: optional(body, "repeat_until"), count: numeric(body, "repeat_count") };
}

/** An empty description clears it on an edit, and is left out on a create. */
export const componentFields = (body: FormBody, editing: boolean) => ({
  name: text(body, "name") ?? "",
  description: optional(body, "description") ?? (editing ? null : undefined),
  group_id: optional(body, "group_id") ?? null,
  status: optional(body, "status"),
});

export const groupForm = (body: FormBody, editing: boolean) => ({
  name: text(body, "name") ?? "",
  description: optional(body, "description") ?? (editing ? null : undefined),
});

export const moveForm = (body: FormBody) => text(body, "direction");

/** An empty field leaves the setting as it is. */
export const settingsForm = (body: FormBody) => ({
  name: optional(body, "name"),
  url: optional(body, "url"),
  time_zone: optional(body, "time_zone"),
});

export const apiKeyForm = (body: FormBody) => ({ name: text(body, "name") ?? "", scopes: texts(body, "scopes") });

export const templateForm = (body: FormBody) => ({
  name: text(body, "name") ?? "",
  title: text(body, "title") ?? "",
  body: text(body, "body") ?? "",
  status: optional(body, "status"),
  components: componentStatuses(body),
  notify: checked(body, "notify"),
});

/** A maintenance action's notify box; the buttons post it checked unless staff untick it. */
export const notifyForm = (body: FormBody) => ({ notify: checked(body, "notify") });
export const postmortemForm = (body: FormBody) => ({ body: text(body, "body") ?? "" });

/** The posted fields, to fill the form in again when it is refused. */
export const formValues = (body: FormBody): Record<string, string[]> =>
  Object.fromEntries(Object.keys(body).map((k) => [k, texts(body, k)]));

/** A number field: empty is "not given"; anything else that is no number is passed on for zod to refuse. */
const numeric = (body: FormBody, name: string) => {
  const raw = text(body, name)?.trim();
  if (!raw) return undefined;
  return /^-?\d+$/.test(raw) ? Number(raw) : raw;
};

/** "Name: value" lines; empty means "no headers given", so an edit keeps the stored ones (never shown again). */
function headerLines(body: FormBody): Record<string, string> | undefined {
  const raw = text(body, "headers")?.trim();
  if (!raw) return undefined;
  const out: Record<string, string> = {};
  for (const line of raw.split(/\r?\n/)) {
    if (!line.trim()) continue;
    const colon = line.indexOf(":");
    // A line without a colon becomes a header named by the whole line, which the schema refuses with its reason.
    if (colon < 0) out[line.trim()] = "";
    else out[line.slice(0, colon).trim()] = line.slice(colon + 1).trim();
  }
  return out;
}

/** The monitor form, as MonitorCreate (or, `editing`, MonitorPatch: no type; unset optional fields are kept). */
export function monitorForm(body: FormBody, editing: boolean) {
  const fields = {
    name: text(body, "name") ?? "",
    url: optional(body, "url"),
    host: optional(body, "host"),
    port: numeric(body, "port"),
    method: optional(body, "method"),
    headers: headerLines(body),
    body: optional(body, "body"),
    expected_status: optional(body, "expected_status"),
    keyword: optional(body, "keyword"),
    keyword_mode: optional(body, "keyword_mode"),
    follow_redirects: checked(body, "follow_redirects"),
    degraded_ms: numeric(body, "degraded_ms"),
    min_days_left: numeric(body, "min_days_left"),
    provider_component: optional(body, "provider_component"),
    interval_seconds: numeric(body, "interval_seconds"),
    timeout_ms: numeric(body, "timeout_ms"),
    failure_threshold: numeric(body, "failure_threshold"),
    success_threshold: numeric(body, "success_threshold"),
    component_id: optional(body, "component_id") ?? null,
    down_status: optional(body, "down_status"),
    incident: optional(body, "incident"),
    notify: checked(body, "notify"),
    show_chart: checked(body, "show_chart"),
  };
  return editing ? fields : { ...fields, type: text(body, "type") ?? "" };
}

/** The heartbeat form: a period (in minutes) or a cron schedule, whichever was filled in. */
export function heartbeatForm(body: FormBody) {
  const minutes = numeric(body, "period_minutes");
  const graceMinutes = numeric(body, "grace_minutes");
  const seconds = (v: number | string | undefined) => (typeof v === "number" ? v * 60 : v);
  const schedule = optional(body, "schedule")?.trim() || undefined;
  return {
    name: text(body, "name") ?? "",
    // The period field has a default; a schedule typed in wins over it.
    period_seconds: schedule ? undefined : seconds(minutes),
    schedule,
    time_zone: optional(body, "time_zone"),
    grace_seconds: seconds(graceMinutes),
    component_id: optional(body, "component_id") ?? null,
    down_status: optional(body, "down_status"),
    incident: optional(body, "incident"),
    notify: checked(body, "notify"),
  };
}

export const staffDestinationForm = (body: FormBody) => ({
  kind: text(body, "kind") ?? "",
  target: (text(body, "target") ?? "").trim(),
  name: optional(body, "name"),
});
