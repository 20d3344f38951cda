import { z } from "zod";
import { automaticIncidentModes, componentStatuses } from "@/db/vocabulary";
import type { MonitorCheck } from "./check-types";
import { MonitorCheck as MonitorCheckSchema } from "./check-schemas";
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
  /** `http`, `tls`: PEM certificates of a private CA the target's certificate is issued by. */
  ca: z.string().max(65_536).optional(),
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
  let refused = false;
  const refuse = (field: string, message: string) => {
    refused = true;
    ctx.addIssue({ code: "custom", path: [field], message });
  };
  if (m.type === "tcp") {
    if (m.host === undefined) refuse("host", "is required for a tcp monitor");
    if (m.port === undefined) refuse("port", "is required for a tcp monitor");
  } else if (m.url === undefined) refuse("url", `is required for a ${m.type} monitor`);
  if (m.type === "tls" && m.url && !m.url.startsWith("https://"))
    refuse("url", "must be an https:// URL for a tls monitor");
  if (m.timeout_ms >= m.interval_seconds * 1000) refuse("timeout_ms", "must be shorter than the interval");
  if (m.body !== undefined && m.method !== "POST") refuse("body", "is only sent with method POST");
  if (refused) return;
  // The check itself, as the checks validate it (header names and values, URLs, status ranges, …), in API names.
  const check = MonitorCheckSchema.safeParse(checkOf(m));
  if (check.success) return;
  for (const issue of check.error.issues) {
    const [field, ...rest] = issue.path.map(String);
    ctx.addIssue({ code: "custom", path: [apiFieldOf[field!] ?? field!, ...rest], message: issue.message });
  }
});

const apiFieldOf: Record<string, string> = {
  expectedStatus: "expected_status",
  keywordMode: "keyword_mode",
  followRedirects: "follow_redirects",
  degradedMs: "degraded_ms",
  timeoutMs: "timeout_ms",
  minDaysLeft: "min_days_left",
  component: "provider_component",
};
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
        ...(m.ca !== undefined && { ca: m.ca }),
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
      return {
        type: "tls",
        url: m.url!,
        minDaysLeft: m.min_days_left,
        timeoutMs,
        ...(m.ca !== undefined && { ca: m.ca }),
      };
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
        ca: check.ca,
      };
    case "tcp":
      return { host: check.host, port: check.port, degraded_ms: check.degradedMs };
    case "tls":
      return { url: check.url, min_days_left: check.minDaysLeft, ca: check.ca };
    case "statuspage":
      return { url: check.url, provider_component: check.component };
  }
}
