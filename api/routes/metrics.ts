import { Hono } from "hono";
import { constantTimeEqual, sha256Hex } from "@/api/ids";
import { AppError } from "@/api/errors";
import { type AuthEnv, requireKey } from "@/api/middleware/auth";
import { throttledAnswer } from "@/api/middleware/auth-throttle";
import type { Deps } from "@/api/services/deps";
import type { Metrics } from "@/api/metrics/metrics";

export type MetricsRouteDeps = Deps & {
  /** Absent where metrics are not kept (Workers: see docs/operations.md): /metrics then answers 404. */
  metrics?: Pick<Metrics, "text" | "contentType">;
  /** METRICS_TOKEN: a bearer token that opens /metrics and nothing else. */
  metricsToken?: string;
};

/**
 * GET /metrics in Prometheus text format, for METRICS_TOKEN or any API key that may read (an `alerts` key may not). The token is compared as SHA-256 digests in constant time, so neither its content nor
 * its length leaks through timing; a wrong one falls through to the key check and counts against its client.
 */
export function metricsRoutes(deps: MetricsRouteDeps) {
  const keyed = requireKey(deps);
  const tokenHash = deps.metricsToken === undefined ? undefined : sha256Hex(deps.metricsToken);
  return new Hono<AuthEnv>().get(
    "/metrics",
    async (c, next) => {
      if (!deps.metrics)
        throw new AppError("not_found", "Metrics are served by the Node server only (docs/operations.md, Metrics)");
      // A client that guessed too often is stopped before the token is compared, or the right guess would still pass.
      const throttled = await throttledAnswer(deps, c);
      if (throttled) return throttled;
      const token = c.req.header("authorization")?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
      if (token && tokenHash && constantTimeEqual(await sha256Hex(token), await tokenHash)) return next();
      return keyed(c, next);
    },
    async (c) => {
      const body = await deps.metrics!.text();
      return c.body(body, 200, { "content-type": deps.metrics!.contentType, "cache-control": "no-store" });
    },
  );
}
