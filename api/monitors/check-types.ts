import type { ComponentStatus } from "@/db/vocabulary";

// One check of one monitor, and what it saw. The scheduler and the state machine (thresholds, what a detection does)
// live elsewhere; a check only looks once and reports. The zod schemas for these configs are in check-schemas.ts.

export type HttpCheck = {
  type: "http";
  url: string;
  method: "GET" | "HEAD" | "POST";
  headers: Record<string, string>;
  body?: string;
  /** e.g. "200-399" or "200,204,300-302" */
  expectedStatus: string;
  keyword?: string;
  keywordMode?: "present" | "absent";
  followRedirects: boolean;
  degradedMs?: number;
  timeoutMs: number;
  /** PEM certificate(s) to trust besides the system's, for a server behind a private CA (Node only). */
  ca?: string;
};

export type TcpCheck = { type: "tcp"; host: string; port: number; timeoutMs: number; degradedMs?: number };

export type TlsCheck = {
  type: "tls";
  /** https://host[:port] */
  url: string;
  minDaysLeft: number;
  timeoutMs: number;
  /** PEM certificate(s) to trust besides the system's (Node only). */
  ca?: string;
};

export type StatuspageCheck = {
  type: "statuspage";
  /** a page's base URL or its /api/v2/summary.json */
  url: string;
  /** a component's name or id on that page; absent: the whole page's indicator */
  component?: string;
  timeoutMs: number;
};

export type MonitorCheck = HttpCheck | TcpCheck | TlsCheck | StatuspageCheck;

export type CheckOutcome = "up" | "degraded" | "down";

export type CheckResult = {
  outcome: CheckOutcome;
  /** Time to the answer (http: to the status line and headers + body read for keyword; tcp: to connect; tls: handshake). */
  responseMs: number | null;
  /** Short, human: "HTTP 503", "timed out after 5000 ms", "connection refused", "certificate expires in 3 days",
   *  "keyword \"ok\" not found", "provider: Major outage". Never includes header values or bodies. */
  message: string;
  statusCode?: number;
  /** statuspage: the component status the provider reports, mapped onto Marquee's; tls: certificate expiry time (ms). */
  providerStatus?: ComponentStatus;
  certificateExpiresAt?: number;
};

/** Never throws and never rejects: every failure is a `down` result with a message. */
export type RunCheck = (check: MonitorCheck, signal?: AbortSignal) => Promise<CheckResult>;
