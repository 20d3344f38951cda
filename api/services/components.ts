import { asc, eq } from "drizzle-orm";
import { runAtomically, type Statement } from "@/db/client";
import { type Component, componentGroups, components } from "@/db/schema";
import { AppError, notFound } from "@/api/errors";
import { newId } from "@/api/ids";
import type { ComponentCreate, ComponentPatch } from "@/api/schemas";
import { statusChangeStatements } from "./component-status";
import type { Deps } from "./deps";
import { componentEffects, type Written, written } from "./effects";
import { nextPosition, reorderStatements } from "./positions";

export async function listComponents({ db }: Deps): Promise<Component[]> {
  return db.select().from(components).orderBy(asc(components.position), asc(components.name));
}

export async function getComponent({ db }: Deps, id: string): Promise<Component> {
  const [row] = await db.select().from(components).where(eq(components.id, id));
  if (!row) throw notFound("Component", id);
  return row;
}

async function assertGroupExists({ db }: Deps, groupId: string | null | undefined) {
  if (!groupId) return;
  const [group] = await db
    .select({ id: componentGroups.id })
    .from(componentGroups)
    .where(eq(componentGroups.id, groupId));
  if (!group) throw new AppError("validation_failed", `Unknown group id: ${groupId}`);
}

export async function createComponent(deps: Deps, input: ComponentCreate): Promise<Written<Component>> {
  await assertGroupExists(deps, input.group_id);
  const now = deps.clock();
  const id = newId();
  const groupId = input.group_id ?? null;
  await deps.db.insert(components).values({
    id,
    groupId,
    name: input.name,
    description: input.description ?? null,
    position: input.position ?? (await nextPosition(deps.db, groupId)),
    status: input.status,
    showcase: input.showcase,
    onlyShowIfDegraded: input.only_show_if_degraded,
    startDate: input.start_date ?? null,
    createdAt: now,
    updatedAt: now,
  });
  return written(await getComponent(deps, id), componentEffects);
}

/** Updates fields and, when the status changes, records the change in the status history in the same write. */
export async function updateComponent(deps: Deps, id: string, patch: ComponentPatch): Promise<Written<Component>> {
  const current = await getComponent(deps, id);
  await assertGroupExists(deps, patch.group_id);
  const now = deps.clock();
  const fields = {
    ...(patch.name !== undefined && { name: patch.name }),
    ...(patch.description !== undefined && { description: patch.description }),
    ...(patch.group_id !== undefined && { groupId: patch.group_id }),
    ...(patch.position !== undefined && { position: patch.position }),
    ...(patch.showcase !== undefined && { showcase: patch.showcase }),
    ...(patch.only_show_if_degraded !== undefined && { onlyShowIfDegraded: patch.only_show_if_degraded }),
    ...(patch.start_date !== undefined && { startDate: patch.start_date }),
  };
  const statements: Statement[] = [];
  if (Object.keys(fields).length > 0) {
    statements.push(
      deps.db
        .update(components)
        .set({ ...fields, updatedAt: now })
        .where(eq(components.id, id)),
    );
  }
  if (patch.status !== undefined && patch.status !== current.status) {
    statements.push(...statusChangeStatements(deps.db, [{ componentId: id, status: patch.status }], now));
  }
  await runAtomically(deps.db, statements);
  return written(await getComponent(deps, id), componentEffects);
}

export async function deleteComponent(deps: Deps, id: string): Promise<Written<void>> {
  await getComponent(deps, id);
  await deps.db.delete(components).where(eq(components.id, id));
  return written(undefined, componentEffects);
}

export async function reorder(deps: Deps, ids: readonly string[]): Promise<Written<void>> {
  await runAtomically(deps.db, await reorderStatements(deps.db, ids, deps.clock()));
  return written(undefined, componentEffects);
}
