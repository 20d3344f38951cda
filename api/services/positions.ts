import { eq, isNull, max } from "drizzle-orm";
import type { Db, Statement } from "@/db/client";
import { componentGroups, components } from "@/db/schema";
import { AppError } from "@/api/errors";

/** The next free position among a parent's children. Groups and ungrouped components share the top level. */
export async function nextPosition(db: Db, groupId: string | null): Promise<number> {
  const [inGroup] = await db
    .select({ p: max(components.position) })
    .from(components)
    .where(groupId === null ? isNull(components.groupId) : eq(components.groupId, groupId));
  let highest = inGroup?.p ?? -1;
  if (groupId === null) {
    const [groups] = await db.select({ p: max(componentGroups.position) }).from(componentGroups);
    highest = Math.max(highest, groups?.p ?? -1);
  }
  return highest + 1;
}

/**
 * Statements that give the listed ids positions 0, 1, 2… in order. Ids may name groups or components, so one call
 * can reorder the top level, where both live.
 */
export async function reorderStatements(db: Db, ids: readonly string[], at: number): Promise<Statement[]> {
  if (new Set(ids).size !== ids.length) throw new AppError("validation_failed", "ids must not repeat");
  const groupIds = new Set((await db.select({ id: componentGroups.id }).from(componentGroups)).map((r) => r.id));
  const componentIds = new Set((await db.select({ id: components.id }).from(components)).map((r) => r.id));
  const unknown = ids.filter((id) => !groupIds.has(id) && !componentIds.has(id));
  if (unknown.length > 0) throw new AppError("validation_failed", `Unknown id: ${unknown.join(", ")}`);
  return ids.map((id, position) =>
    groupIds.has(id)
      ? db.update(componentGroups).set({ position, updatedAt: at }).where(eq(componentGroups.id, id))
      : db.update(components).set({ position, updatedAt: at }).where(eq(components.id, id)),
  );
}
