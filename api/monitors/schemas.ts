import { z } from "zod";
import { automaticIncidentModes, componentStatuses } from "@/db/vocabulary";
import type { MonitorCheck } from "./check-types";
import { maxThreshold } from "./judge";

/** The staff API's monitor fields (snake_case, as the rest of /api/v1), validated together for each type. */

const statusRanges = /^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$/;
const headerName = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const WebUrl = z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" }).max(2000);

export const monitorTypes = ["http", "tcp", "tls", "statuspage"] as const;

const MonitorFields = z.strictObject({
  name: z.string().trim().min(1, "must not be empty").max(255),
  type: z.enum(monitorTypes),
  url: WebUrl.optional(),
  host: z.string().trim().min(1).max(253).optional(),
  port: z.int().min(1).max(65535).optional(),
  method: z.enum(["GET", "HEAD", "POST"]).default("GET"),
  headers: z
    .record(
      z.string().regex(headerName, "is not a header name").max(100),
      z
        .string()
        .max(4000)
        .regex(/^[^\r\n]*$/, "must not contain line breaks"),
    )
    .refine((h) => Object.keys(h).length <= 20, "at most 20 headers")
    .default({}),
  body: z.string().max(8192).optional(),
  expected_status: z.string().regex(statusRanges, 'must look like "200-399" or "200,204,301-302"').default("200-399"),
  keyword: z.string().min(1).max(200).optional(),
  keyword_mode: z.enum(["present", "absent"]).default("present"),
  follow_redirects: z.boolean().default(true),
  degraded_ms: z.int().min(1).max(600_000).optional(),
  min_days_left: z.int().min(0).max(365).default(14),
  /** statuspage: the provider's component to follow (its id or name); absent: the provider's whole page. */
  provider_component: z.string().trim().min(1).max(255).optional(),
  interval_seconds: z.int().min(5, "must be at least 5").max(86_400).default(60),
  timeout_ms: z.int().min(100).max(60_000).default(10_000),
  failure_threshold: z.int().min(1).max(maxThreshold).default(2),
  success_threshold: z.int().min(1).max(maxThreshold).default(2),
  component_id: z.string().min(1).max(64).nullable().default(null),
  down_status: z.enum(componentStatuses).exclude(["operational"]).default("major_outage"),
  incident: z.enum(automaticIncidentModes).default("off"),
  notify: z.boolean().default(false),
  show_chart: z.boolean().default(false),
  paused: z.boolean().default(false),
});

/** A whole monitor: what POST takes, and what a PATCH merged onto the stored monitor must still be. */
export const MonitorCreate = MonitorFields.superRefine((m, ctx) => {
  const need = (field: keyof typeof m, why: string) => {
    if (m[field] === undefined) ctx.addIssue({ code: "custom", path: [field], message: `is required ${why}` });
  };
  if (m.type === "tcp") {
    need("host", "for a tcp monitor");
    need("port", "for a tcp monitor");
  } else need("url", `for a ${m.type} monitor`);
  if (m.type === "tls" && m.url && !m.url.startsWith("https://")) {
    ctx.addIssue({ code: "custom", path: ["url"], message: "must be an https:// URL for a tls monitor" });
  }
  if (m.timeout_ms >= m.interval_seconds * 1000) {
    ctx.addIssue({ code: "custom", path: ["timeout_ms"], message: "must be shorter than the interval" });
  }
  if (m.body !== undefined && m.method !== "POST") {
    ctx.addIssue({ code: "custom", path: ["body"], message: "is only sent with method POST" });
  }
});
export type MonitorCreate = z.infer<typeof MonitorCreate>;

/**
 * Any field but the type, without the defaults (a PATCH that omits a field keeps it); the result is validated again
 * as a whole monitor.
 */
const { type: _type, ...patchable } = MonitorFields.shape;
export const MonitorPatch = z
  .strictObject(
    Object.fromEntries(
      Object.entries(patchable).map(([k, v]) => [k, (v instanceof z.ZodDefault ? v.unwrap() : v).optional()]),
    ) as unknown as { [K in keyof typeof patchable]: z.ZodOptional<z.ZodType<z.output<(typeof patchable)[K]>>> },
  )
  .refine((p) => Object.values(p).some((v) => v !== undefined), "send at least one field to change");
export type MonitorPatch = z.infer<typeof MonitorPatch>;

/** The check a monitor runs, in the checks' own terms. */
export function checkOf(m: MonitorCreate): MonitorCheck {
  const timeoutMs = m.timeout_ms;
  switch (m.type) {
    case "http":
      return {
        type: "http",
        url: m.url!,
        method: m.method,
        headers: m.headers,
        ...(m.body !== undefined && { body: m.body }),
        expectedStatus: m.expected_status,
        ...(m.keyword !== undefined && { keyword: m.keyword, keywordMode: m.keyword_mode }),
        followRedirects: m.follow_redirects,
        ...(m.degraded_ms !== undefined && { degradedMs: m.degraded_ms }),
        timeoutMs,
      };
    case "tcp":
      return {
        type: "tcp",
        host: m.host!,
        port: m.port!,
        timeoutMs,
        ...(m.degraded_ms !== undefined && { degradedMs: m.degraded_ms }),
      };
    case "tls":
      return { type: "tls", url: m.url!, minDaysLeft: m.min_days_left, timeoutMs };
    case "statuspage":
      return {
        type: "statuspage",
        url: m.url!,
        ...(m.provider_component !== undefined && { component: m.provider_component }),
        timeoutMs,
      };
  }
}

/** The API fields a stored check came from (the inverse of checkOf, for PATCH and GET). */
export function fieldsOfCheck(check: MonitorCheck): Partial<MonitorCreate> {
  switch (check.type) {
    case "http":
      return {
        url: check.url,
        method: check.method,
        headers: check.headers,
        body: check.body,
        expected_status: check.expectedStatus,
        keyword: check.keyword,
        keyword_mode: check.keywordMode ?? "present",
        follow_redirects: check.followRedirects,
        degraded_ms: check.degradedMs,
      };
    case "tcp":
      return { host: check.host, port: check.port, degraded_ms: check.degradedMs };
    case "tls":
      return { url: check.url, min_days_left: check.minDaysLeft };
    case "statuspage":
      return { url: check.url, provider_component: check.component };
  }
}
