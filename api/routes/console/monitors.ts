import { Hono, type Context } from "hono";
import { validate } from "@/api/http";
import type { AdminEnv } from "@/api/middleware/admin-session";
import { MonitorCreate, MonitorPatch } from "@/api/monitors/schemas";
import {
  createMonitor,
  deleteMonitor,
  fieldsOf,
  getMonitor,
  listMonitors,
  monitorResultsOf,
  updateMonitor,
} from "@/api/services/monitors";
import { loadComponentTree } from "@/api/services/read-model";
import type { Monitor } from "@/db/schema";
import {
  type AdminConfirmView,
  type AdminMonitorsView,
  type FormError,
  type MonitorRow,
  monitorStates,
} from "@/present/admin-views";
import type { AppDeps } from "@/api/app";
import { staff } from "../staff";
import * as form from "../admin-forms";
import type { ConsoleKit } from "./kit";

const outcomes = ["up", "degraded", "down"] as const;

/** Monitors (admin, as in the API: a monitor reaches the operator's own servers): list, add, pause, edit, delete. */
export function monitorRoutes(deps: AppDeps, kit: ConsoleKit) {
  const rowOf = (m: Monitor, componentName: Map<string, string>): MonitorRow => {
    const f = fieldsOf(m);
    return {
      id: m.id,
      name: m.name,
      type: m.type,
      target: f.type === "tcp" ? `${f.host}:${f.port}` : (f.url ?? ""),
      component: m.componentId ? (componentName.get(m.componentId) ?? null) : null,
      state: monitorStates[m.state] ?? { tone: "maintenance", label: m.state },
      paused: m.paused,
      lastCheckedAt: m.lastCheckedAt,
      lastResponseMs: m.lastResponseMs,
      lastMessage: m.lastMessage,
      nextCheckAt: m.paused ? null : m.nextCheckAt,
    };
  };

  const show = async (c: Context<AdminEnv>, status: 200 | 404 | 409 | 422, error: FormError = null) => {
    const [monitors, tree] = await Promise.all([listMonitors(deps), loadComponentTree(deps.db)]);
    const componentName = new Map(tree.components.map((x) => [x.id, x.name]));
    const id = c.req.param("id");
    const current = id === undefined ? null : monitors.find((m) => m.id === id);
    if (current === undefined) return kit.notice(c, "Not found", `Monitor ${id} does not exist`, 404);
    let monitor: AdminMonitorsView["monitor"] = null;
    if (current) {
      const now = deps.clock();
      const { results } = await monitorResultsOf(deps, current.id, { since: 0, until: now + 1, limit: 50 });
      const { headers, ca: _ca, ...settings } = fieldsOf(current);
      monitor = {
        row: rowOf(current, componentName),
        settings: { fields: settings, headerNames: Object.keys(headers) },
        results: results.map((r) => ({
          at: r.at,
          outcome: outcomes[r.level] ?? "down",
          responseMs: r.responseMs,
          message: r.message,
        })),
      };
    }
    const view: AdminMonitorsView = {
      ...(await kit.chrome(c)),
      error,
      monitors: monitors.map((m) => rowOf(m, componentName)),
      components: tree.components.map((x) => ({ id: x.id, name: x.name })),
      monitor,
    };
    return kit.render(c, current ? "/admin/monitor" : "/admin/monitors", view, status);
  };
  const act = (c: Context<AdminEnv>, name: string, run: Parameters<ConsoleKit["act"]>[2], done: string) =>
    kit.act(c, name, run, done, show);
  const pause = (paused: boolean) => (c: Context<AdminEnv>) =>
    act(
      c,
      `monitor:${c.req.param("id")}`,
      () => updateMonitor(staff(c, deps), c.req.param("id")!, { paused }),
      `/admin/monitors?flash=${paused ? "monitor-paused" : "monitor-resumed"}`,
    );

  return new Hono<AdminEnv>()
    .use("/monitors", kit.requireAdmin)
    .use("/monitors/*", kit.requireAdmin)
    .get("/monitors", (c) => show(c, 200))
    .post("/monitors", (c) =>
      act(
        c,
        "monitor",
        (b) => createMonitor(staff(c, deps), validate(MonitorCreate, form.monitorForm(b, false))),
        "/admin/monitors?flash=monitor-created",
      ),
    )
    .get("/monitors/:id", (c) => show(c, 200))
    .post("/monitors/:id", (c) =>
      act(
        c,
        "monitor",
        (b) => updateMonitor(staff(c, deps), c.req.param("id"), validate(MonitorPatch, form.monitorForm(b, true))),
        `/admin/monitors/${encodeURIComponent(c.req.param("id"))}?flash=monitor-saved`,
      ),
    )
    .post("/monitors/:id/pause", pause(true))
    .post("/monitors/:id/resume", pause(false))
    .get("/monitors/:id/delete", async (c) => {
      const monitor = await getMonitor(deps, c.req.param("id")).catch(() => null);
      if (!monitor) return kit.notice(c, "Not found", `Monitor ${c.req.param("id")} does not exist`, 404);
      const view: AdminConfirmView = {
        ...(await kit.chrome(c)),
        title: `Delete ${monitor.name}?`,
        message: `The monitor ${monitor.name} stops checking and its results are deleted. The page stays as it is. This cannot be undone.`,
        action: `/admin/monitors/${monitor.id}/delete`,
        button: "Delete monitor",
        back: `/admin/monitors/${monitor.id}`,
      };
      return kit.render(c, "/admin/confirm", view, 200);
    })
    .post("/monitors/:id/delete", (c) =>
      act(
        c,
        `monitor:${c.req.param("id")}`,
        () => deleteMonitor(staff(c, deps), c.req.param("id")),
        "/admin/monitors?flash=monitor-deleted",
      ),
    );
}
