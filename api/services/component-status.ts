import { and, eq, inArray, ne, type SQL, sql } from "drizzle-orm";
import type { Db, Statement } from "@/db/client";
import { type ComponentStatus, componentStatusChanges, components, incidentUpdateComponents } from "@/db/schema";
import { AppError } from "@/api/errors";
import { componentWebhookStatements } from "./outbox";
import { inSlices } from "./read-model";

export type StatusChange = { componentId: string; status: ComponentStatus };

/** Checks that every component id exists; a bad id is the caller's mistake, reported by id. */
export async function assertComponentsExist(db: Db, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  const rows = await inSlices(ids, (slice) =>
    db.select({ id: components.id }).from(components).where(inArray(components.id, slice)),
  );
  const found = new Set(rows.map((r) => r.id));
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length > 0) {
    throw new AppError("validation_failed", `Unknown component id: ${missing.join(", ")}`, { components: missing });
  }
}

/**
 * Statements that set component statuses, record each real change in the status history and, for an incident
 * update, the component's status before and after. The old status is read by the statements themselves
 * (INSERT … SELECT), so it stays right when two writes race in one batch after another.
 */
export function statusChangeStatements(db: Db, changes: readonly StatusChange[], at: number, updateId?: string) {
  const statements: Statement[] = [];
  for (const { componentId, status } of changes) {
    if (updateId) {
      statements.push(
        db
          .insert(incidentUpdateComponents)
          .select(
            sql`select ${updateId}, ${components.id}, ${components.name}, ${components.status}, ${status} from ${components} where ${components.id} = ${componentId}`,
          )
          .onConflictDoNothing(),
      );
    }
    statements.push(
      ...componentWebhookStatements(db, componentId, status, at),
      db
        .insert(componentStatusChanges)
        .select(
          sql`select null, ${components.id}, ${components.status}, ${status}, ${at} from ${components} where ${components.id} = ${componentId} and ${components.status} <> ${status}`,
        ),
      db
        .update(components)
        .set({ status, updatedAt: at })
        .where(and(eq(components.id, componentId), ne(components.status, status))),
    );
  }
  return statements;
}

/**
 * An audit row's before/after for `changes`. `before` is read by the batch itself, like the status history's old
 * status above, so it stays right when two writes race; `after` is what the changes set.
 */
export function componentAudit(changes: readonly StatusChange[]) {
  if (changes.length === 0) return { before: undefined, after: undefined };
  const ids = JSON.stringify(changes.map((c) => c.componentId));
  return {
    before: sql`json((select json_group_object(${components.id}, ${components.status}) from ${components} where ${components.id} in (select value from json_each(${ids}))))`,
    after: Object.fromEntries(changes.map((c) => [c.componentId, c.status])),
  };
}

/** A component's status as the batch finds it. */
export const statusNow = (id: string) =>
  sql`(select ${components.status} from ${components} where ${components.id} = ${id})`;

/** A JSON object of `fields` built in SQL, for an audit row's `before` read by its own batch. */
export const jsonObject = (fields: Record<string, SQL | undefined>): SQL =>
  sql`json_object(${sql.join(
    Object.entries(fields)
      .filter((e): e is [string, SQL] => e[1] !== undefined)
      .map(([k, v]) => sql`${k}, ${v}`),
    sql`, `,
  )})`;
