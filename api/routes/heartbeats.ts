import { Hono } from "hono";
import { readJson } from "@/api/http";
import type { AuthEnv } from "@/api/middleware/auth";
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
import { presentHeartbeat, presentPing } from "@/api/heartbeats/present";
import { HeartbeatCreate, HeartbeatPatch } from "@/api/heartbeats/schemas";
import { commit } from "@/api/services/effects";
import type { AppDeps } from "@/api/app";
import { staff } from "./staff";

/** Heartbeats (docs/api.md). The ping URL holds a secret: it is in the answer to a creation and a rotation only. */
export function heartbeatRoutes(deps: AppDeps) {
  const present = (h: Parameters<typeof presentHeartbeat>[0]) => presentHeartbeat(h, deps.clock());
  const withPingUrl = ({ heartbeat, pingUrl }: WithPingUrl) => ({ ...present(heartbeat), ping_url: pingUrl });
  return new Hono<AuthEnv>()
    .get("/heartbeats", async (c) => c.json((await listHeartbeats(deps)).map(present)))
    .post("/heartbeats", async (c) => {
      const created = await commit(deps, createHeartbeat(staff(c, deps), await readJson(c, HeartbeatCreate)));
      c.set("answerHasSecret", true);
      return c.json(withPingUrl(created), 201);
    })
    .get("/heartbeats/:id", async (c) => c.json(present(await getHeartbeat(deps, c.req.param("id")))))
    .get("/heartbeats/:id/pings", async (c) => c.json((await listPings(deps, c.req.param("id"))).map(presentPing)))
    .patch("/heartbeats/:id", async (c) => {
      const patch = await readJson(c, HeartbeatPatch);
      return c.json(present(await commit(deps, updateHeartbeat(staff(c, deps), c.req.param("id"), patch))));
    })
    .post("/heartbeats/:id/rotate", async (c) => {
      const rotated = await commit(deps, rotatePingUrl(staff(c, deps), c.req.param("id")));
      c.set("answerHasSecret", true);
      return c.json(withPingUrl(rotated));
    })
    .delete("/heartbeats/:id", async (c) => {
      await commit(deps, deleteHeartbeat(staff(c, deps), c.req.param("id")));
      return c.body(null, 204);
    });
}
