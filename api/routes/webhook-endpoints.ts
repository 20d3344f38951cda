import { Hono } from "hono";
import { readJson } from "@/api/http";
import { WebhookCreate } from "@/api/schemas";
import { type AuthEnv, requireScope } from "@/api/middleware/auth";
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  getWebhookEndpoint,
  listWebhookEndpoints,
  type WebhookEndpointReport,
} from "@/api/services/webhook-endpoints";
import { commit } from "@/api/services/effects";
import type { AppDeps } from "@/api/app";
import { staff } from "./staff";

const present = (e: WebhookEndpointReport) => ({
  id: e.id,
  url: e.url,
  description: e.description,
  created_at: new Date(e.createdAt).toISOString(),
  deliveries: e.deliveries,
  last_error: e.lastError,
});

/** Webhook subscribers, registered by staff (admin). The signing secret is shown once, when the endpoint is made. */
export function webhookEndpointRoutes(deps: AppDeps) {
  const admin = requireScope("admin");
  return new Hono<AuthEnv>()
    .use("/webhooks", admin)
    .use("/webhooks/*", admin)
    .get("/webhooks", async (c) => c.json((await listWebhookEndpoints(deps)).map(present)))
    .post("/webhooks", async (c) => {
      const endpoint = await commit(deps, createWebhookEndpoint(staff(c, deps), await readJson(c, WebhookCreate)));
      c.set("answerHasSecret", true);
      return c.json({ ...present(endpoint), secret: endpoint.secret }, 201);
    })
    .get("/webhooks/:id", async (c) => c.json(present(await getWebhookEndpoint(deps, c.req.param("id")))))
    .delete("/webhooks/:id", async (c) => {
      await commit(deps, deleteWebhookEndpoint(staff(c, deps), c.req.param("id")));
      return c.body(null, 204);
    });
}
