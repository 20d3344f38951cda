import { and, asc, eq, inArray } from "drizzle-orm";
import { automaticStates, components, type IncidentDraft, incidentDrafts } from "@/db/schema";
import { notFound } from "@/api/errors";
import { newId } from "@/api/ids";
import type { IncidentView } from "@/present/views";
import { type StaffDeps, writeAudited } from "./audit";
import type { Deps } from "./deps";
import { type Written, written } from "./effects";
import { openIncident } from "./incidents";

/** Incidents a detection prepared (a source with `"incident": "draft"`), oldest first. */
export async function listIncidentDrafts({ db }: Deps): Promise<IncidentDraft[]> {
  return db.select().from(incidentDrafts).orderBy(asc(incidentDrafts.createdAt), asc(incidentDrafts.id));
}

async function getDraft({ db }: Deps, id: string): Promise<IncidentDraft> {
  const [row] = await db.select().from(incidentDrafts).where(eq(incidentDrafts.id, id));
  if (!row) throw notFound("Incident draft", id);
  return row;
}

/**
 * Publishes a draft as an incident, in the same write that removes the draft. The incident is the staff's: its source
 * recovering does not resolve it (it is not recorded as the source's own).
 */
export async function publishIncidentDraft(deps: StaffDeps, id: string): Promise<Written<IncidentView>> {
  const draft = await getDraft(deps, id);
  const named = Object.keys(draft.components);
  const existing = named.length
    ? new Set(
        (await deps.db.select({ id: components.id }).from(components).where(inArray(components.id, named))).map(
          (c) => c.id,
        ),
      )
    : new Set<string>();
  const changes = Object.fromEntries(Object.entries(draft.components).filter(([c]) => existing.has(c)));
  return openIncident(
    { ...deps, alsoWrite: draftGone(deps, draft) },
    { name: draft.name, status: "investigating", body: draft.body, components: changes, notify: draft.notify },
    newId(),
  );
}

/** Discards a draft; the source's status on the component stays as it is. */
export async function discardIncidentDraft(deps: StaffDeps, id: string): Promise<Written<void>> {
  const draft = await getDraft(deps, id);
  await writeAudited(
    deps,
    { resourceType: "incident_draft", resourceId: id, action: "discard" },
    draftGone(deps, draft),
  );
  return written(undefined, {});
}

const draftGone = ({ db }: Deps, draft: IncidentDraft) => [
  db.delete(incidentDrafts).where(eq(incidentDrafts.id, draft.id)),
  db
    .update(automaticStates)
    .set({ draftId: null })
    .where(and(eq(automaticStates.sourceKind, draft.sourceKind), eq(automaticStates.sourceId, draft.sourceId))),
];
