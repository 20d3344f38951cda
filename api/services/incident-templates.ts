import { and, asc, eq, ne } from "drizzle-orm";
import { components, type IncidentTemplate, incidentTemplates } from "@/db/schema";
import { AppError, notFound } from "@/api/errors";
import { newId } from "@/api/ids";
import type { IncidentTemplateCreate, IncidentTemplatePatch } from "@/api/schemas";
import { fieldNames, type StaffDeps, writeAudited } from "./audit";
import { assertComponentsExist } from "./component-status";
import type { Deps } from "./deps";
import { type Written, written } from "./effects";

/**
 * Saved incident templates. A template names components by id; one deleted since is dropped whenever the template is
 * read, so a template never opens an incident that is refused for an unknown component.
 */

async function withLiveComponents({ db }: Deps, rows: IncidentTemplate[]): Promise<IncidentTemplate[]> {
  const live = new Set((await db.select({ id: components.id }).from(components)).map((r) => r.id));
  return rows.map((t) => ({
    ...t,
    components: Object.fromEntries(Object.entries(t.components).filter(([id]) => live.has(id))),
  }));
}

export async function listIncidentTemplates(deps: Deps): Promise<IncidentTemplate[]> {
  const rows = await deps.db.select().from(incidentTemplates).orderBy(asc(incidentTemplates.name));
  return withLiveComponents(deps, rows);
}

export async function getIncidentTemplate(deps: Deps, id: string): Promise<IncidentTemplate> {
  const [row] = await deps.db.select().from(incidentTemplates).where(eq(incidentTemplates.id, id));
  if (!row) throw notFound("Incident template", id);
  return (await withLiveComponents(deps, [row]))[0]!;
}

/** What a template opens: the fields of `POST /incidents` (IncidentCreate), for the console's form or automation. */
export async function incidentFromTemplate(deps: Deps, id: string) {
  const t = await getIncidentTemplate(deps, id);
  return { name: t.title, body: t.body, status: t.status, components: t.components, notify: t.notify };
}

async function assertNameFree({ db }: Deps, name: string, exceptId?: string) {
  const [taken] = await db
    .select({ id: incidentTemplates.id })
    .from(incidentTemplates)
    .where(and(eq(incidentTemplates.name, name), exceptId ? ne(incidentTemplates.id, exceptId) : undefined));
  if (taken) throw new AppError("conflict", `An incident template named "${name}" already exists`);
}

/** Two writes racing for one name: the unique index refuses the second, answered as the check above would. */
async function guardName<T>(name: string | undefined, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (name !== undefined && /UNIQUE constraint failed: incident_templates\.name/.test(String(error))) {
      throw new AppError("conflict", `An incident template named "${name}" already exists`);
    }
    throw error;
  }
}

export async function createIncidentTemplate(
  deps: StaffDeps,
  input: IncidentTemplateCreate,
): Promise<Written<IncidentTemplate>> {
  await assertComponentsExist(deps.db, Object.keys(input.components));
  await assertNameFree(deps, input.name);
  const now = deps.clock();
  const id = newId();
  const insert = deps.db.insert(incidentTemplates).values({
    id,
    name: input.name,
    title: input.title,
    body: input.body,
    status: input.status,
    components: input.components,
    notify: input.notify,
    createdAt: now,
    updatedAt: now,
  });
  const entry = { resourceType: "incident_template", resourceId: id, action: "create", fields: fieldNames(input) };
  await guardName(input.name, () => writeAudited(deps, entry, [insert]));
  return written(await getIncidentTemplate(deps, id), {});
}

export async function updateIncidentTemplate(
  deps: StaffDeps,
  id: string,
  patch: IncidentTemplatePatch,
): Promise<Written<IncidentTemplate>> {
  await getIncidentTemplate(deps, id);
  if (patch.components) await assertComponentsExist(deps.db, Object.keys(patch.components));
  if (patch.name !== undefined) await assertNameFree(deps, patch.name, id);
  const update = deps.db
    .update(incidentTemplates)
    .set({
      ...(patch.name !== undefined && { name: patch.name }),
      ...(patch.title !== undefined && { title: patch.title }),
      ...(patch.body !== undefined && { body: patch.body }),
      ...(patch.status !== undefined && { status: patch.status }),
      ...(patch.components !== undefined && { components: patch.components }),
      ...(patch.notify !== undefined && { notify: patch.notify }),
      updatedAt: deps.clock(),
    })
    .where(eq(incidentTemplates.id, id));
  const entry = { resourceType: "incident_template", resourceId: id, action: "update", fields: fieldNames(patch) };
  await guardName(patch.name, () => writeAudited(deps, entry, [update]));
  return written(await getIncidentTemplate(deps, id), {});
}

export async function deleteIncidentTemplate(deps: StaffDeps, id: string): Promise<Written<void>> {
  await getIncidentTemplate(deps, id);
  await writeAudited(deps, { resourceType: "incident_template", resourceId: id, action: "delete" }, [
    deps.db.delete(incidentTemplates).where(eq(incidentTemplates.id, id)),
  ]);
  return written(undefined, {});
}
