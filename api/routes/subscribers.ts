import { Hono } from "hono";
import { z } from "zod";
import { subscriberStatuses } from "@/db/vocabulary";
import { commit } from "@/api/services/effects";
import { readJson, validate } from "@/api/http";
import { type AuthEnv, requireScope } from "@/api/middleware/auth";
import { SubscriberImport } from "@/api/schemas";
import { deleteSubscriber, deliveryProgress, importSubscribers, listSubscribers } from "@/api/services/subscribers";
import type { Subscriber } from "@/db/schema";
import type { AppDeps } from "@/api/app";
import { staff } from "./staff";

const ListQuery = z.object({
  search: z.string().max(254).optional(),
  status: z.enum(subscriberStatuses).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});

const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
const present = (s: Subscriber & { components: string[] }) => ({
  id: s.id,
  email: s.email,
  status: s.status,
  components: s.components,
  all_components: s.allComponents,
  created_at: iso(s.createdAt),
  confirmed_at: iso(s.confirmedAt),
});

/** Subscribers are personal data: only admin keys see or change them. Delivery progress needs read. */
export function subscriberRoutes(deps: AppDeps) {
  const admin = requireScope("admin");
  return new Hono<AuthEnv>()
    .use("/subscribers", admin)
    .use("/subscribers/*", admin)
    .get("/subscribers", async (c) => {
      const query = validate(ListQuery, c.req.query());
      const { total, subscribers } = await listSubscribers(deps, query);
      return c.json({ total, subscribers: subscribers.map(present) });
    })
    .post("/subscribers/import", async (c) => {
      const input = await readJson(c, SubscriberImport);
      const report = await commit(deps, importSubscribers(staff(c, deps), input.subscribers, input.skip_confirmation));
      const { toConfirm: _, ...answer } = report;
      return c.json(answer, 200);
    })
    .delete("/subscribers/:id", async (c) => {
      await commit(deps, deleteSubscriber(staff(c, deps), c.req.param("id")));
      return c.body(null, 204);
    })
    .get("/notifications", async (c) => {
      const limit = Math.min(Math.max(Number(c.req.query("limit") ?? 20) || 20, 1), 200);
      return c.json(await deliveryProgress(deps, limit));
    });
}
