import { Hono } from "hono";
import { z } from "zod";
import { parseAlertPayload } from "@/api/alerts/payloads";
import { receiveAlerts } from "@/api/alerts/receive-alerts";
import { defaultSeverityStatuses, type SeverityStatuses } from "@/api/alerts/severity";
import { readJson } from "@/api/http";
import type { AuthEnv } from "@/api/middleware/auth";
import type { Deps } from "@/api/services/deps";
import { commit, type EffectTarget } from "@/api/services/effects";
import { alertSources } from "@/db/vocabulary";

export type AlertRouteDeps = Deps & EffectTarget & { alertSeverityStatuses?: SeverityStatuses };

/**
 * POST /alerts/alertmanager and /alerts/grafana (Grafana may be set to PUT): a monitoring tool's webhook. An `alerts`
 * key suffices (api/middleware/auth.ts). 200 once every alert is recorded; 5xx makes the tool retry, 4xx does not.
 */
export function alertRoutes(deps: AlertRouteDeps) {
  const mapping = deps.alertSeverityStatuses ?? defaultSeverityStatuses;
  const app = new Hono<AuthEnv>();
  for (const source of alertSources) {
    app.on(["POST", "PUT"], `/alerts/${source}`, async (c) => {
      const alerts = parseAlertPayload(source, await readJson(c, z.looseObject({})));
      return c.json(await commit(deps, receiveAlerts(deps, source, alerts, mapping)));
    });
  }
  return app;
}
