import { Hono } from "hono";
import { z } from "zod";
import { validate } from "@/api/http";
import { type AuthEnv, requireScope } from "@/api/middleware/auth";
import { listAudit } from "@/api/services/audit";
import type { AuditRow } from "@/db/schema";
import type { AppDeps } from "@/api/app";

const Instant = z.iso.datetime({ offset: true }).transform((s) => Date.parse(s));
const AuditQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.coerce.number().int().min(1).optional(),
  resource_type: z.string().min(1).max(64).optional(),
  resource_id: z.string().min(1).max(128).optional(),
  since: Instant.optional(),
  until: Instant.optional(),
});

const presentAuditRow = (r: AuditRow) => ({
  id: r.id,
  at: new Date(r.at).toISOString(),
  actor: { kind: r.actorKind, key_id: r.actorKeyId, name: r.actorName },
  resource_type: r.resourceType,
  resource_id: r.resourceId,
  action: r.action,
  before: r.before,
  after: r.after,
  fields: r.fields,
});

/** The audit log, newest first: admin scope only. */
export function auditRoutes(deps: AppDeps) {
  return new Hono<AuthEnv>().use("/audit", requireScope("admin")).get("/audit", async (c) => {
    const q = validate(AuditQuery, c.req.query());
    const { rows, nextCursor } = await listAudit(deps, {
      limit: q.limit,
      cursor: q.cursor,
      resourceType: q.resource_type,
      resourceId: q.resource_id,
      since: q.since,
      until: q.until,
    });
    return c.json({ entries: rows.map(presentAuditRow), next_cursor: nextCursor === null ? null : String(nextCursor) });
  });
}
