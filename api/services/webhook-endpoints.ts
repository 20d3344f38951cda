import { desc, eq, sql } from "drizzle-orm";
import { webhookDeliveries, webhookEndpoints } from "@/db/schema";
import { notFound } from "@/api/errors";
import { newId, randomToken } from "@/api/ids";
import { checkUserUrl } from "@/api/outbound/outbound";
import type { WebhookCreate } from "@/api/schemas";
import { fieldNames, type StaffDeps, writeAudited } from "./audit";
import type { Deps } from "./deps";
import { type Written, written } from "./effects";

export type WebhookEndpoint = typeof webhookEndpoints.$inferSelect;

/** An endpoint with how its deliveries went: counts by status and the latest error. */
export type WebhookEndpointReport = WebhookEndpoint & {
  deliveries: { sent: number; pending: number; failed: number };
  lastError: string | null;
};

async function report(deps: Deps, endpoint: WebhookEndpoint): Promise<WebhookEndpointReport> {
  const rows = await deps.db
    .select({ status: webhookDeliveries.status, n: sql<number>`count(*)` })
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.endpointId, endpoint.id))
    .groupBy(webhookDeliveries.status);
  const count = (s: string) => rows.find((r) => r.status === s)?.n ?? 0;
  const [last] = await deps.db
    .select({ error: webhookDeliveries.lastError })
    .from(webhookDeliveries)
    .where(eq(webhookDeliveries.endpointId, endpoint.id))
    .orderBy(desc(webhookDeliveries.createdAt))
    .limit(1);
  return {
    ...endpoint,
    deliveries: { sent: count("sent"), pending: count("pending"), failed: count("failed") },
    lastError: last?.error ?? null,
  };
}

export async function listWebhookEndpoints(deps: Deps): Promise<WebhookEndpointReport[]> {
  const rows = await deps.db.select().from(webhookEndpoints).orderBy(webhookEndpoints.createdAt);
  return Promise.all(rows.map((row) => report(deps, row)));
}

export async function getWebhookEndpoint(deps: Deps, id: string): Promise<WebhookEndpointReport> {
  const [row] = await deps.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.id, id));
  if (!row) throw notFound("Webhook", id);
  return report(deps, row);
}

/** Registers an endpoint with a new signing secret, which the caller shows once. */
export async function createWebhookEndpoint(
  deps: StaffDeps,
  input: WebhookCreate,
): Promise<Written<WebhookEndpointReport>> {
  // Refused before it is stored, and again before each send (api/outbound, docs/security.md).
  await checkUserUrl(deps, input.url);
  const row: WebhookEndpoint = {
    id: newId(),
    url: input.url,
    description: input.description ?? null,
    secret: randomToken(32),
    createdAt: deps.clock(),
  };
  // The URL may carry a token of its own, and the secret is one: the audit row names the fields only.
  await writeAudited(
    deps,
    {
      resourceType: "webhook_endpoint",
      resourceId: row.id,
      action: "create",
      fields: fieldNames(input),
    },
    [deps.db.insert(webhookEndpoints).values(row)],
  );
  return written(await report(deps, row), {});
}

export async function deleteWebhookEndpoint(deps: StaffDeps, id: string): Promise<Written<void>> {
  await getWebhookEndpoint(deps, id);
  await writeAudited(
    deps,
    {
      resourceType: "webhook_endpoint",
      resourceId: id,
      action: "delete",
    },
    [deps.db.delete(webhookEndpoints).where(eq(webhookEndpoints.id, id))],
  );
  return written(undefined, {});
}
