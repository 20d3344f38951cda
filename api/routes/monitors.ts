import { Hono } from "hono";
import { z } from "zod";
import { readJson, validate } from "@/api/http";
import { type AuthEnv, requireScope } from "@/api/middleware/auth";
import { MonitorCreate, MonitorPatch } from "@/api/monitors/schemas";
import { commit } from "@/api/services/effects";
import {
  createMonitor,
  deleteMonitor,
  fieldsOf,
  getMonitor,
  listMonitors,
  monitorResultsOf,
} from "@/api/services/monitors";
import type { Monitor } from "@/db/schema";
import type { AppDeps } from "@/api/app";
import { staff } from "./staff";
import { updateMonitor } from "@/api/services/monitors";

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A monitor as the API shows it. Header values may carry the target's credentials: they are never shown. */
export function presentMonitor(m: Monitor) {
  const fields = fieldsOf(m);
  return {
    id: m.id,
    ...fields,
    headers: Object.fromEntries(Object.keys(fields.headers).map((name) => [name, "(hidden)"])),
    state: m.state,
    state_status: m.stateStatus,
    state_changed_at: iso(m.stateChangedAt),
    last_checked_at: iso(m.lastCheckedAt),
    last_response_ms: m.lastResponseMs,
    last_message: m.lastMessage,
    next_check_at: m.paused ? null : iso(m.nextCheckAt),
    created_at: iso(m.createdAt),
    updated_at: iso(m.updatedAt),
  };
}

const Instant = z.iso.datetime({ offset: true }).transform((s) => Date.parse(s));
const ResultsQuery = z.strictObject({
  since: Instant.optional(),
  until: Instant.optional(),
  limit: z.coerce.number().int().min(1).max(5000).default(500),
});

/** Monitors: read keys see them, only admin keys create, change or delete them (they reach the operator's own servers). */
export function monitorRoutes(deps: AppDeps) {
  const admin = requireScope("admin");
  return new Hono<AuthEnv>()
    .get("/monitors", async (c) => c.json((await listMonitors(deps)).map(presentMonitor)))
    .post("/monitors", admin, async (c) => {
      const monitor = await commit(deps, createMonitor(staff(c, deps), await readJson(c, MonitorCreate)));
      return c.json(presentMonitor(monitor), 201);
    })
    .get("/monitors/:id", async (c) => c.json(presentMonitor(await getMonitor(deps, c.req.param("id")))))
    .patch("/monitors/:id", admin, async (c) => {
      const patch = await readJson(c, MonitorPatch);
      return c.json(presentMonitor(await commit(deps, updateMonitor(staff(c, deps), c.req.param("id"), patch))));
    })
    .post("/monitors/:id/pause", admin, async (c) => {
      const monitor = await commit(deps, updateMonitor(staff(c, deps), c.req.param("id"), { paused: true }));
      return c.json(presentMonitor(monitor));
    })
    .post("/monitors/:id/resume", admin, async (c) => {
      const monitor = await commit(deps, updateMonitor(staff(c, deps), c.req.param("id"), { paused: false }));
      return c.json(presentMonitor(monitor));
    })
    .delete("/monitors/:id", admin, async (c) => {
      await commit(deps, deleteMonitor(staff(c, deps), c.req.param("id")));
      return c.body(null, 204);
    })
    .get("/monitors/:id/results", async (c) => {
      const q = validate(ResultsQuery, c.req.query());
      const until = q.until ?? deps.clock() + 1;
      const since = q.since ?? until - 24 * 3_600_000;
      const { results, hourly } = await monitorResultsOf(deps, c.req.param("id"), { since, until, limit: q.limit });
      return c.json({
        results: results.map((r) => ({
          at: iso(r.at),
          outcome: (["up", "degraded", "down"] as const)[r.level],
          response_ms: r.responseMs,
          message: r.message,
        })),
        hourly: hourly.map((h) => ({
          hour: iso(h.hour),
          checks: h.checks,
          degraded: h.degraded,
          down: h.down,
          mean_response_ms: h.responseCount > 0 ? Math.round(h.responseMsSum / h.responseCount) : null,
          max_response_ms: h.responseMsMax,
        })),
      });
    });
}
