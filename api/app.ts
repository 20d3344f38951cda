import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { AppError, errorBody, RateLimited } from "./errors";
import { trustProxy } from "./middleware/client-address";
import type { TrustProxy } from "./middleware/trust-proxy";
import { requireKey, type AuthEnv } from "./middleware/auth";
import { idempotency } from "./middleware/idempotency";
import { openApiDocument } from "./openapi";
import type { Change, Renderer } from "./publish/publisher";
import type { Notifier } from "./notify/notifier";
import { subscriptionRoutes } from "./routes/subscriptions";
import { subscriberRoutes } from "./routes/subscribers";
import { webhookEndpointRoutes } from "./routes/webhook-endpoints";
import { staffDestinationRoutes } from "./routes/staff-destinations";
import { staffChannelRoutes } from "./routes/staff-channels";
import { type PageStore, publishedPath, responseFromPage } from "./publish/serve";
import { alertRoutes } from "./routes/alerts";
import type { SeverityStatuses } from "./alerts/severity";
import { apiKeyRoutes } from "./routes/api-keys";
import { backupRoutes } from "./routes/backups";
import { lastBackup } from "./services/backups";
import { auditRoutes } from "./routes/audit";
import { monitorRoutes } from "./routes/monitors";
import { incidentDraftRoutes } from "./routes/incident-drafts";
import { adminConsoleRoutes } from "./routes/admin-console";
import { componentRoutes } from "./routes/components";
import { heartbeatRoutes } from "./routes/heartbeats";
import { pingRoutes } from "./routes/ping";
import { incidentRoutes } from "./routes/incidents";
import { postmortemRoutes } from "./routes/postmortems";
import { incidentTemplateRoutes } from "./routes/incident-templates";
import { maintenanceRoutes } from "./routes/maintenances";
import { maintenanceSeriesRoutes } from "./routes/maintenance-series";
import { pageSettingsRoutes } from "./routes/page-settings";
import { resendWebhookRoutes } from "./routes/resend-webhooks";
import { publicJsonCorsRoutes } from "./routes/public-json-cors";
import { metricsRoutes, type MetricsRouteDeps } from "./routes/metrics";
import type { Metrics } from "./metrics/metrics";
import type { Deps } from "./services/deps";
import type { SubscribeLimits } from "./services/subscriptions";
import { answerHeaders, headerPolicy } from "./security-headers";

export type AppDeps = Deps &
  Omit<MetricsRouteDeps, keyof Deps | "metrics"> & {
    /** Where metrics are kept (the Node server): requests are counted and /metrics answers. */
    metrics?: Pick<Metrics, "text" | "contentType" | "countRequest">;
    publisher: {
      touch(change: Change): void;
      state?: { ready: boolean; historyRendering: boolean; publishedAt: number | null; lastError: string | null };
    };
    store: PageStore;
    /** Renders the pages that are not published: the subscription pages. */
    renderer: Renderer;
    notifier: Notifier;
    /** RESEND_WEBHOOK_SECRET: without it, /webhooks/resend answers 404. */
    resendWebhookSecret?: string;
    log?: (message: string) => void;
    /** TRUST_PROXY: whose X-Forwarded-For counts when telling clients apart. Absent: nobody's. */
    trustProxy?: TrustProxy;
    subscribeLimits?: SubscribeLimits;
    /** Runs work after the response is sent (on Workers, within the invocation). Default: on the next timer tick. */
    afterAnswer?: (work: () => Promise<unknown>) => void;
    /** MIRROR_DIR / MIRROR_COMMAND on Node: how the copy of the page elsewhere is doing, shown on /healthz. */
    mirror?: { state: { lastOkAt: number | null; lastError: string | null } };
    /** BACKUP_INTERVAL: the console shows the last backup in red once it is 1.5 intervals old. */
    backupIntervalMs?: number;
    /** ALERT_SEVERITY_STATUSES: the status each alert severity asks for. Absent: the defaults. */
    alertSeverityStatuses?: SeverityStatuses;
  };

export const maxBodyBytes = 64 * 1024;
export const maxImportBytes = 8 * 1024 * 1024;

/** Builds the whole HTTP app. No side effects: each runtime entry creates the deps and calls this. */
export function createApp(deps: AppDeps) {
  const log = deps.log ?? console.error;
  const app = new Hono();
  const policy = headerPolicy(deps.renderer.inlineSources, deps.siteUrl);
  const { metrics } = deps;

  if (metrics) {
    app.use(async (c, next) => {
      await next();
      metrics.countRequest(c.req.method, c.req.path, c.res.status);
    });
  }

  // Every answer, errors included, carries the security headers; a route's own (a page's referrer policy) wins.
  app.use(async (c, next) => {
    await next();
    const type = c.res.headers.get("content-type") ?? "";
    for (const [name, value] of Object.entries(answerHeaders(policy, c.req.path, type))) {
      if (!c.res.headers.has(name)) c.res.headers.set(name, value);
    }
  });

  app.onError((err, c) => {
    if (err instanceof RateLimited) c.header("retry-after", String(err.retryAfterSeconds));
    if (err instanceof AppError) return c.json(errorBody(err.code, err.message, err.details), err.status);
    // The client went away mid-body (or was cut at the request timeout): nobody to answer, nothing to log.
    if (c.req.raw.signal.aborted) return c.json(errorBody("bad_request", "The request was cut off"), 400);
    log(`unexpected error on ${c.req.method} ${c.req.path}: ${err.stack ?? err}`);
    return c.json(errorBody("internal_error", "Something went wrong on our side"), 500);
  });
  app.use(trustProxy(deps.trustProxy));
  app.notFound((c) => c.json(errorBody("not_found", `No route for ${c.req.method} ${c.req.path}`), 404));

  // For load balancers: 200 once the pages are published, 503 while the first publish is still running.
  app.get("/healthz", async (c) => {
    const state = deps.publisher.state;
    const ready = state?.ready ?? true;
    const lastGood = await lastBackup(deps, true);
    return c.json(
      {
        status: ready ? "ok" : "starting",
        published_at: state?.publishedAt ? new Date(state.publishedAt).toISOString() : null,
        publish_error: state?.lastError ?? null,
        // True while a whole history is rendered after an upgrade; older pages are served meanwhile.
        rendering_history: state?.historyRendering ?? false,
        ...(deps.mirror && {
          mirror: {
            last_ok_at: deps.mirror.state.lastOkAt ? new Date(deps.mirror.state.lastOkAt).toISOString() : null,
            last_error: deps.mirror.state.lastError,
          },
        }),
        // A stale backup is for the staff to fix (the console and an email say so), not a reason to stop serving.
        last_good_backup_at: lastGood ? new Date(lastGood.takenAt).toISOString() : null,
        last_good_backup_age_seconds: lastGood ? Math.floor((deps.clock() - lastGood.takenAt) / 1000) : null,
      },
      ready ? 200 : 503,
    );
  });

  const api = new Hono<AuthEnv>();
  api.get("/openapi.json", (c) => c.json(openApiDocument(deps.siteUrl ?? new URL(c.req.url).origin)));
  const limit = (maxSize: number) =>
    bodyLimit({
      maxSize,
      onError: (c) =>
        c.json(errorBody("payload_too_large", `Request bodies here are limited to ${maxSize / 1024} KB`), 413),
    });
  // A subscriber import carries tens of thousands of rows; every other body is small.
  const importLimit = limit(maxImportBytes);
  const defaultLimit = limit(maxBodyBytes);
  api.use((c, next) => (c.req.path.endsWith("/subscribers/import") ? importLimit(c, next) : defaultLimit(c, next)));
  api.use(requireKey(deps));
  api.use(idempotency(deps));
  api.route("/", componentRoutes(deps));
  api.route("/", incidentRoutes(deps));
  api.route("/", postmortemRoutes(deps));
  api.route("/", incidentTemplateRoutes(deps));
  api.route("/", maintenanceRoutes(deps));
  api.route("/", maintenanceSeriesRoutes(deps));
  api.route("/", apiKeyRoutes(deps));
  api.route("/", pageSettingsRoutes(deps));
  api.route("/", subscriberRoutes(deps));
  api.route("/", webhookEndpointRoutes(deps));
  api.route("/", staffDestinationRoutes(deps));
  api.route("/", staffChannelRoutes(deps));
  api.route("/", backupRoutes(deps));
  api.route("/", auditRoutes(deps));
  api.route("/", monitorRoutes(deps));
  api.route("/", incidentDraftRoutes(deps));
  api.route("/", alertRoutes(deps));
  api.route("/", heartbeatRoutes(deps));
  app.route("/api/v1", api);
  app.route("/admin", adminConsoleRoutes(deps));
  app.route("/", subscriptionRoutes(deps));
  app.route("/", resendWebhookRoutes(deps));
  app.route("/", pingRoutes(deps));
  app.route("/", publicJsonCorsRoutes());
  app.route("/", metricsRoutes(deps));

  // Readers: published pages only, answered from the store; the database is never touched here.
  app.on(["GET", "HEAD"], "*", async (c) => {
    const page = await deps.store.get(publishedPath(c.req.path));
    if (!page) return c.notFound();
    return responseFromPage(page, c.req.raw, policy);
  });

  return app;
}
