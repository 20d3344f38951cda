import { Hono } from "hono";
import { desc, eq, sql } from "drizzle-orm";
import { webhookDeliveries, webhookEndpoints } from "@/db/schema";
import { notFound } from "@/api/errors";
import { readJson } from "@/api/http";
import { WebhookCreate } from "@/api/schemas";
import { newId, randomToken } from "@/api/ids";
import { type AuthEnv, requireScope } from "@/api/middleware/auth";
import type { AppDeps } from "@/api/app";

/** Webhook subscribers, registered by staff (admin). The signing secret is shown once, when the endpoint is made. */
export function webhookEndpointRoutes(deps: AppDeps) {
  const admin = requireScope("admin");
  const stats = (id: string) =>
    deps.db
      .select({
        status: webhookDeliveries.status,
        n: sql<number>`count(*)`,
      })
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.endpointId, id))
      .groupBy(webhookDeliveries.status);
  const present = async (e: typeof webhookEndpoints.$inferSelect) => {
    const rows = await stats(e.id);
    const count = (s: string) => rows.find((r) => r.status === s)?.n ?? 0;
    const [last] = await deps.db
      .select({ error: webhookDeliveries.lastError })
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.endpointId, e.id))
      .orderBy(desc(webhookDeliveries.createdAt))
      .limit(1);
    return {
      id: e.id,
      url: e.url,
      description: e.description,
      created_at: new Date(e.createdAt).toISOString(),
      deliveries: { sent: count("sent"), pending: count("pending"), failed: count("failed") },
      last_error: last?.error ?? null,
    };
  };
  return new Hono<AuthEnv>()
    .use("/webhooks", admin)
    .use("/webhooks/*", admin)
    .get("/webhooks", async (c) => {
      const rows = await deps.db.select().from(webhookEndpoints).orderBy(webhookEndpoints.createdAt);
      return c.json(await Promise.all(rows.map(present)));
    })
    .post("/webhooks", async (c) => {
      const input = await readJson(c, WebhookCreate);
      const row = {
        id: newId(),
        url: input.url,
        description: input.description ?? null,
        secret: randomToken(32),
        createdAt: deps.clock(),
      };
      await deps.db.insert(webhookEndpoints).values(row);
      return c.json({ ...(await present(row)), secret: row.secret }, 201);
    })
    .get("/webhooks/:id", async (c) => {
      const [row] = await deps.db
        .select()
        .from(webhookEndpoints)
        .where(eq(webhookEndpoints.id, c.req.param("id")));
      if (!row) throw notFound("Webhook", c.req.param("id"));
      return c.json(await present(row));
    })
    .delete("/webhooks/:id", async (c) => {
      const [row] = await deps.db
        .select()
        .from(webhookEndpoints)
        .where(eq(webhookEndpoints.id, c.req.param("id")));
      if (!row) throw notFound("Webhook", c.req.param("id"));
      await deps.db.delete(webhookEndpoints).where(eq(webhookEndpoints.id, row.id));
      return c.body(null, 204);
    });
}
