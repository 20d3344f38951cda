import { Hono } from "hono";
import { readJson } from "@/api/http";
import { type AuthEnv, requireScope } from "@/api/middleware/auth";
import { ChannelCreate, ChannelPatch } from "@/api/chat/channel-schemas";
import { commit } from "@/api/services/effects";
import {
  createStaffChannel,
  deleteStaffChannel,
  getStaffChannel,
  listStaffChannels,
  setStaffChannelEnabled,
  type StaffChannel,
} from "@/api/services/staff-channels";
import type { AppDeps } from "@/api/app";
import { staff } from "./staff";

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The URL is masked: its path or query is the webhook's secret, shown to nobody after it was given. */
export const presentChannel = (c: StaffChannel) => ({
  id: c.id,
  type: c.type,
  purpose: c.purpose,
  name: c.name,
  url: c.url,
  components: c.components,
  status: c.status,
  created_at: iso(c.createdAt),
  disabled_at: iso(c.disabledAt),
  disabled_reason: c.disabledReason,
  failing_since: iso(c.failingSince),
  last_error: c.lastError,
});

/** Staff chat channels: broadcast channels that get every update, and chat destinations of staff alerts (admin). */
export function staffChannelRoutes(deps: AppDeps) {
  const admin = requireScope("admin");
  return new Hono<AuthEnv>()
    .use("/channels", admin)
    .use("/channels/*", admin)
    .get("/channels", async (c) => c.json((await listStaffChannels(deps)).map(presentChannel)))
    .post("/channels", async (c) => {
      const input = await readJson(c, ChannelCreate);
      return c.json(presentChannel(await commit(deps, createStaffChannel(staff(c, deps), input))), 201);
    })
    .get("/channels/:id", async (c) => c.json(presentChannel(await getStaffChannel(deps, c.req.param("id")))))
    .patch("/channels/:id", async (c) => {
      const input = await readJson(c, ChannelPatch);
      const channel = await commit(deps, setStaffChannelEnabled(staff(c, deps), c.req.param("id"), input));
      return c.json(presentChannel(channel));
    })
    .post("/channels/:id/enable", async (c) => {
      const channel = await commit(deps, setStaffChannelEnabled(staff(c, deps), c.req.param("id"), { enabled: true }));
      return c.json(presentChannel(channel));
    })
    .delete("/channels/:id", async (c) => {
      await commit(deps, deleteStaffChannel(staff(c, deps), c.req.param("id")));
      return c.body(null, 204);
    });
}
