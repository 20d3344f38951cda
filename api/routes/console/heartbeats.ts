import { Hono, type Context } from "hono";
import { AppError } from "@/api/errors";
import { validate } from "@/api/http";
import type { AdminEnv } from "@/api/middleware/admin-session";
import { describeTiming } from "@/api/heartbeats/describe";
import {
  createHeartbeat,
  deleteHeartbeat,
  getHeartbeat,
  listHeartbeats,
  listPings,
  rotatePingUrl,
  updateHeartbeat,
  type WithPingUrl,
} from "@/api/heartbeats/heartbeats";
import { HeartbeatCreate } from "@/api/heartbeats/schemas";
import { stateAt } from "@/api/heartbeats/schedule";
import { commit, type Written } from "@/api/services/effects";
import { loadComponentTree } from "@/api/services/read-model";
import type { Heartbeat } from "@/db/schema";
import {
  type AdminConfirmView,
  type AdminHeartbeatsView,
  type FormError,
  type HeartbeatRow,
  heartbeatStates,
} from "@/present/admin-views";
import type { AppDeps } from "@/api/app";
import { staff } from "../staff";
import * as form from "../admin-forms";
import type { ConsoleKit } from "./kit";

type Status = 200 | 201 | 404 | 409 | 422;

/**
 * Heartbeats (admin). The ping URL holds a secret: it is on the answer to the form that created or rotated it, once,
 * never in a redirect, a URL, a log or any later page.
 */
export function heartbeatRoutes(deps: AppDeps, kit: ConsoleKit) {
  const rowOf = (h: Heartbeat, componentName: Map<string, string>): HeartbeatRow => {
    const state = h.paused ? "paused" : stateAt(h, deps.clock());
    const { expected, grace } = describeTiming(h);
    return {
      id: h.id,
      name: h.name,
      state: heartbeatStates[state] ?? { tone: "maintenance", label: state },
      paused: h.paused,
      lastPingAt: h.lastPingAt,
      timing: `${expected}, grace ${grace}`,
      component: h.componentId ? (componentName.get(h.componentId) ?? null) : null,
      downReason: state === "down" ? h.downReason : null,
    };
  };

  const show = async (
    c: Context<AdminEnv>,
    status: Status,
    error: FormError = null,
    pingUrl: AdminHeartbeatsView["pingUrl"] = null,
  ) => {
    const [heartbeats, tree] = await Promise.all([listHeartbeats(deps), loadComponentTree(deps.db)]);
    const componentName = new Map(tree.components.map((x) => [x.id, x.name]));
    // A rotation answers on the list, not on the heartbeat's page: the URL shown once leads the list.
    const id = pingUrl ? undefined : c.req.param("id");
    const current = id === undefined ? null : heartbeats.find((h) => h.id === id);
    if (current === undefined) return kit.notice(c, "Not found", `Heartbeat ${id} does not exist`, 404);
    const pings = current ? await listPings(deps, current.id) : [];
    const view: AdminHeartbeatsView = {
      ...(await kit.chrome(c)),
      error,
      heartbeats: heartbeats.map((h) => rowOf(h, componentName)),
      components: tree.components.map((x) => ({ id: x.id, name: x.name })),
      pingUrl,
      heartbeat: current && {
        row: rowOf(current, componentName),
        pings: pings.map((p) => ({
          at: p.at,
          kind: p.kind,
          exitCode: p.exitCode,
          method: p.method,
          ignored: p.ignored,
        })),
      },
    };
    return kit.render(c, "/admin/heartbeats", view, status);
  };

  /** Answers a creation or a rotation with the ping URL, on this page only; a refused input shows the form again. */
  const withPingUrl = async (
    c: Context<AdminEnv>,
    name: string,
    status: 200 | 201,
    run: () => Promise<Written<WithPingUrl>>,
  ) => {
    const posted = await kit.body(c);
    try {
      const { heartbeat, pingUrl } = await commit(deps, run());
      return show(c, status, null, { name: heartbeat.name, url: pingUrl });
    } catch (error) {
      if (!(error instanceof AppError) || ![404, 422].includes(error.status)) throw error;
      if (error.status === 404) return kit.notice(c, "Not found", error.message, 404);
      return show(c, 422, { form: name, message: error.message, values: form.formValues(posted) });
    }
  };
  const pause = (paused: boolean) => (c: Context<AdminEnv>) =>
    kit.act(
      c,
      `heartbeat:${c.req.param("id")}`,
      () => updateHeartbeat(staff(c, deps), c.req.param("id")!, { paused }),
      `/admin/heartbeats?flash=${paused ? "heartbeat-paused" : "heartbeat-resumed"}`,
      show,
    );

  return new Hono<AdminEnv>()
    .use("/heartbeats", kit.requireAdmin)
    .use("/heartbeats/*", kit.requireAdmin)
    .get("/heartbeats", (c) => show(c, 200))
    .post("/heartbeats", async (c) => {
      const posted = await kit.body(c);
      return withPingUrl(c, "heartbeat", 201, async () =>
        createHeartbeat(staff(c, deps), validate(HeartbeatCreate, form.heartbeatForm(posted))),
      );
    })
    .get("/heartbeats/:id", (c) => show(c, 200))
    .post("/heartbeats/:id/pause", pause(true))
    .post("/heartbeats/:id/resume", pause(false))
    .post("/heartbeats/:id/rotate", (c) =>
      withPingUrl(c, `heartbeat:${c.req.param("id")}`, 200, () => rotatePingUrl(staff(c, deps), c.req.param("id"))),
    )
    .get("/heartbeats/:id/delete", async (c) => {
      const heartbeat = await getHeartbeat(deps, c.req.param("id")).catch(() => null);
      if (!heartbeat) return kit.notice(c, "Not found", `Heartbeat ${c.req.param("id")} does not exist`, 404);
      const view: AdminConfirmView = {
        ...(await kit.chrome(c)),
        title: `Delete ${heartbeat.name}?`,
        message: `The heartbeat ${heartbeat.name} and its pings are deleted, and its ping URL stops working. What it did to its component is undone. This cannot be undone.`,
        action: `/admin/heartbeats/${heartbeat.id}/delete`,
        button: "Delete heartbeat",
        back: `/admin/heartbeats/${heartbeat.id}`,
      };
      return kit.render(c, "/admin/confirm", view, 200);
    })
    .post("/heartbeats/:id/delete", (c) =>
      kit.act(
        c,
        `heartbeat:${c.req.param("id")}`,
        () => deleteHeartbeat(staff(c, deps), c.req.param("id")),
        "/admin/heartbeats?flash=heartbeat-deleted",
        show,
      ),
    );
}
