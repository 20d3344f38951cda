import { and, desc, eq, gte, lt, lte, type SQL } from "drizzle-orm";
import { runAtomically, type Statement } from "@/db/client";
import { type AuditRow, auditLog } from "@/db/schema";
import type { Deps } from "./deps";

/** Who makes a change: the API key of the request, the key that signed in to the console, or Marquee itself. */
export type Actor =
  { kind: "api_key" | "console"; keyId: string; name: string } | { kind: "system"; keyId: null; name: string };

/**
 * What staff write verbs need: the actor is required by their types, so a route cannot call one without saying who
 * acts, and the verb records the change with `writeAudited` in the same transaction or D1 batch as the change.
 */
export type StaffDeps = Deps & {
  actor: Actor;
  /**
   * Statements of the caller's own bookkeeping to run in the same write as the change (automation records what it
   * did, and queues a staff alert, in the write that does it), so after a crash both happened or neither.
   */
  alsoWrite?: Statement[];
};

/**
 * One change. `before`/`after` hold status fields only (component status, incident status and impact, maintenance
 * status); `fields` names the other fields touched. Values of other fields are never recorded: they may be secrets.
 */
export type AuditEntry = {
  resourceType: string;
  resourceId: string | null;
  action: string;
  /** SQL (see component-status.ts) when the batch itself reads it, so that racing writes each record what they replaced. */
  before?: Record<string, unknown> | SQL | null;
  after?: Record<string, unknown> | null;
  fields?: string[];
};

export const systemActor = (name: string): Actor => ({ kind: "system", keyId: null, name });

/** The statement that records `entry`, to run in the same batch as the change. */
export function auditStatement({ db, clock, actor }: StaffDeps, entry: AuditEntry): Statement {
  return db.insert(auditLog).values({
    at: clock(),
    actorKind: actor.kind,
    actorKeyId: actor.keyId,
    actorName: actor.name,
    resourceType: entry.resourceType,
    resourceId: entry.resourceId,
    action: entry.action,
    before: entry.before ?? null,
    after: entry.after ?? null,
    fields: entry.fields ?? [],
  });
}

/**
 * Runs a staff change and its audit row atomically: one transaction on better-sqlite3, one `batch` on D1. Every
 * staff write verb goes through here instead of `runAtomically`.
 */
export async function writeAudited(deps: StaffDeps, entry: AuditEntry, statements: Statement[]) {
  // First in the batch: a `before` read by SQL sees the rows as the change finds them.
  await runAtomically(deps.db, [auditStatement(deps, entry), ...statements, ...(deps.alsoWrite ?? [])]);
}

/** The names of the keys a patch sets, in API spelling. */
export const fieldNames = (patch: object): string[] =>
  Object.entries(patch)
    .filter(([, v]) => v !== undefined)
    .map(([k]) => k);

export type AuditQuery = {
  limit: number;
  /** Only rows older than this id: the previous page's `next_cursor`. */
  cursor?: number;
  resourceType?: string;
  resourceId?: string;
  since?: number;
  until?: number;
};

/** Newest first, one page at a time; the cursor is the id of the last row seen. */
export async function listAudit({ db }: Deps, q: AuditQuery): Promise<{ rows: AuditRow[]; nextCursor: number | null }> {
  const where: SQL[] = [];
  if (q.cursor !== undefined) where.push(lt(auditLog.id, q.cursor));
  if (q.resourceType !== undefined) where.push(eq(auditLog.resourceType, q.resourceType));
  if (q.resourceId !== undefined) where.push(eq(auditLog.resourceId, q.resourceId));
  if (q.since !== undefined) where.push(gte(auditLog.at, q.since));
  if (q.until !== undefined) where.push(lte(auditLog.at, q.until));
  const rows = await db
    .select()
    .from(auditLog)
    .where(and(...where))
    .orderBy(desc(auditLog.id))
    .limit(q.limit + 1);
  const more = rows.length > q.limit;
  const page = more ? rows.slice(0, q.limit) : rows;
  return { rows: page, nextCursor: more ? page.at(-1)!.id : null };
}
