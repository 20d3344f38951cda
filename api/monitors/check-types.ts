// The contract between the monitor runner and the checks (api/monitors/node-checks.ts, worker-checks.ts).
export type HttpCheck = {
  type: "http";
  url: string;
  method: "GET" | "HEAD" | "POST";
  headers: Record<string, string>;
  body?: string;
  expectedStatus: string /* e.g. "200-399" or "200,204,300-302" */;
  keyword?: string;
  keywordMode?: "present" | "absent";
  followRedirects: boolean;
  degradedMs?: number;
  timeoutMs: number;
};
export type TcpCheck = { type: "tcp"; host: string; port: number; timeoutMs: number; degradedMs?: number };
export type TlsCheck = { type: "tls"; url: string /* https://host[:port] */; minDaysLeft: number; timeoutMs: number };
export type StatuspageCheck = {
  type: "statuspage";
  url: string /* a page's base URL or its /api/v2/summary.json */;
  component?: string /* a component's name or id on that page; absent: the whole page's indicator */;
  timeoutMs: number;
};
export type MonitorCheck = HttpCheck | TcpCheck | TlsCheck | StatuspageCheck;
export type CheckResult = {
  outcome: "up" | "degraded" | "down";
  /** Time to the answer (http: to the status line and headers + body read for keyword; tcp: to connect; tls: handshake). */
  responseMs: number | null;
  /** Short, human: "HTTP 503", "timed out after 5000 ms", "connection refused", "certificate expires in 3 days",
   *  "keyword \"ok\" not found", "provider: Major outage". Never includes header values or bodies. */
  message: string;
  statusCode?: number;
  /** statuspage: the component status the provider reports, mapped onto Marquee's (operational, degraded_performance,
   *  partial_outage, major_outage, under_maintenance); tls: certificate expiry time (ms). */
  providerStatus?: "operational" | "degraded_performance" | "partial_outage" | "major_outage" | "under_maintenance";
  certificateExpiresAt?: number;
};
export type RunCheck = (check: MonitorCheck, signal?: AbortSignal) => Promise<CheckResult>;
