import { asc, eq } from "drizzle-orm";
import type { Statement } from "@/db/client";
import { type Component, componentGroups, components } from "@/db/schema";
import { AppError, notFound } from "@/api/errors";
import { newId } from "@/api/ids";
import type { ComponentCreate, ComponentPatch } from "@/api/schemas";
import { jsonObject, statusChangeStatements, statusNow } from "./component-status";
import { fieldNames, type StaffDeps, writeAudited } from "./audit";
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

export async function createComponent(deps: StaffDeps, input: ComponentCreate): Promise<Written<Component>> {
  await assertGroupExists(deps, input.group_id);
  const now = deps.clock();
  const id = newId();
  const groupId = input.group_id ?? null;
  const insert = deps.db.insert(components).values({
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
  await writeAudited(
    deps,
    {
      resourceType: "component",
      resourceId: id,
      action: "create",
      after: { status: input.status },
      fields: fieldNames(input),
    },
    [insert],
  );
  return written(await getComponent(deps, id), componentEffects);
}

/** Updates fields and, when the status changes, records the change in the status history in the same write. */
export async function updateComponent(deps: StaffDeps, id: string, patch: ComponentPatch): Promise<Written<Component>> {
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
  const statusChanges = patch.status !== undefined && patch.status !== current.status;
  if (statusChanges) {
    statements.push(...statusChangeStatements(deps.db, [{ componentId: id, status: patch.status! }], now));
  }
  await writeAudited(
    deps,
    {
      resourceType: "component",
      resourceId: id,
      action: "update",
      ...(statusChanges && { before: jsonObject({ status: statusNow(id) }), after: { status: patch.status } }),
      fields: fieldNames(patch),
    },
    statements,
  );
  return written(await getComponent(deps, id), componentEffects);
}

export async function deleteComponent(deps: StaffDeps, id: string): Promise<Written<void>> {
  await getComponent(deps, id);
  await writeAudited(
    deps,
    {
      resourceType: "component",
      resourceId: id,
      action: "delete",
      before: jsonObject({ status: statusNow(id) }),
    },
    [deps.db.delete(components).where(eq(components.id, id))],
  );
  return written(undefined, componentEffects);
}

/** Gives groups and components new positions; one audit row for the whole order, which names no single resource. */
export async function reorder(
  deps: StaffDeps,
  ids: readonly string[],
  resourceType: "component" | "group" = "component",
): Promise<Written<void>> {
  await writeAudited(
    deps,
    {
      resourceType,
      resourceId: null,
      action: "reorder",
      fields: ["position"],
    },
    await reorderStatements(deps.db, ids, deps.clock()),
  );
  return written(undefined, componentEffects);
}
