import { asc, eq } from "drizzle-orm";
import { type ComponentGroup, componentGroups } from "@/db/schema";
import { notFound } from "@/api/errors";
import { newId } from "@/api/ids";
import type { GroupCreate, GroupPatch } from "@/api/schemas";
import { fieldNames, type StaffDeps, writeAudited } from "./audit";
import type { Deps } from "./deps";
import { componentEffects, type Written, written } from "./effects";
import { nextPosition } from "./positions";

export async function listGroups({ db }: Deps): Promise<ComponentGroup[]> {
  return db.select().from(componentGroups).orderBy(asc(componentGroups.position), asc(componentGroups.name));
}

export async function getGroup({ db }: Deps, id: string): Promise<ComponentGroup> {
  const [row] = await db.select().from(componentGroups).where(eq(componentGroups.id, id));
  if (!row) throw notFound("Group", id);
  return row;
}

export async function createGroup(deps: StaffDeps, input: GroupCreate): Promise<Written<ComponentGroup>> {
  const now = deps.clock();
  const id = newId();
  const insert = deps.db.insert(componentGroups).values({
    id,
    name: input.name,
    description: input.description ?? null,
    position: input.position ?? (await nextPosition(deps.db, null)),
    createdAt: now,
    updatedAt: now,
  });
  const entry = { resourceType: "group", resourceId: id, action: "create", fields: fieldNames(input) };
  await writeAudited(deps, entry, [insert]);
  return written(await getGroup(deps, id), componentEffects);
}

export async function updateGroup(deps: StaffDeps, id: string, patch: GroupPatch): Promise<Written<ComponentGroup>> {
  await getGroup(deps, id);
  const update = deps.db
    .update(componentGroups)
    .set({ ...patch, updatedAt: deps.clock() })
    .where(eq(componentGroups.id, id));
  await writeAudited(
    deps,
    {
      resourceType: "group",
      resourceId: id,
      action: "update",
      fields: fieldNames(patch),
    },
    [update],
  );
  return written(await getGroup(deps, id), componentEffects);
}

/** Deletes the group; its components stay, ungrouped (the foreign key sets their group to null). */
export async function deleteGroup(deps: StaffDeps, id: string): Promise<Written<void>> {
  await getGroup(deps, id);
  const remove = deps.db.delete(componentGroups).where(eq(componentGroups.id, id));
  await writeAudited(deps, { resourceType: "group", resourceId: id, action: "delete" }, [remove]);
  return written(undefined, componentEffects);
}
