import { and, desc, eq, inArray, sql } from "drizzle-orm";
import type { Statement } from "@/db/client";
import { type Incident, type IncidentPostmortem, incidentPostmortems, incidents, incidentUpdates } from "@/db/schema";
import { closedIncidentStatuses, isClosedIncidentStatus } from "@/db/vocabulary";
import { AppError } from "@/api/errors";
import type { PostmortemPublish, PostmortemSave } from "@/api/schemas";
import { postmortemUpdateId } from "@/present/postmortem";
import { type StaffDeps, writeAudited } from "./audit";
import { jsonObject } from "./component-status";
import type { Deps } from "./deps";
import { type Effects, incidentEffects, type Written, written } from "./effects";
import { getIncidentRow, incidentNow } from "./incidents";
import { enqueueStatements, incidentWebhookStatements } from "./outbox";

/** What staff see of a postmortem: the draft, and the text readers see while it is published. */
export type PostmortemState = {
  incident: Incident;
  draft: IncidentPostmortem | null;
  /** The published text, or null while unpublished. */
  publishedBody: string | null;
};

export async function loadPostmortem(deps: Deps, incidentId: string): Promise<PostmortemState> {
  const incident = await getIncidentRow(deps, incidentId, "incident");
  const [draft] = await deps.db
    .select()
    .from(incidentPostmortems)
    .where(eq(incidentPostmortems.incidentId, incidentId));
  const [update] = await deps.db
    .select({ body: incidentUpdates.body })
    .from(incidentUpdates)
    .where(eq(incidentUpdates.id, postmortemUpdateId(incidentId)));
  return { incident, draft: draft ?? null, publishedBody: update?.body ?? null };
}

/** The postmortem as GET shows it: 404 when there is none (never saved, or dropped and never published). */
export async function getPostmortem(deps: Deps, incidentId: string): Promise<PostmortemState> {
  const state = await loadPostmortem(deps, incidentId);
  if (state.draft?.body == null && state.publishedBody === null) throw noDraft(incidentId);
  return state;
}

const noDraft = (id: string) => new AppError("not_found", `Incident ${id} has no postmortem draft`);

function assertResolved(incident: Incident) {
  if (!isClosedIncidentStatus(incident.status)) {
    throw new AppError(
      "incident_not_resolved",
      `Incident ${incident.id} is ${incident.status}: a postmortem is written once the incident is resolved`,
    );
  }
}

const audit = (id: string, action: string, extra: object = {}) => ({
  resourceType: "incident",
  resourceId: id,
  action,
  ...extra,
});

/** The draft changes nothing readers see: no page is republished and nobody is told. */
const draftEffects: Effects = {};

/** Saves the draft. Readers see nothing of it until it is published. */
export async function savePostmortem(
  deps: StaffDeps,
  incidentId: string,
  input: PostmortemSave,
): Promise<Written<PostmortemState>> {
  const incident = await getIncidentRow(deps, incidentId, "incident");
  assertResolved(incident);
  const now = deps.clock();
  await writeAudited(deps, audit(incidentId, "postmortem_save", { fields: ["body"] }), [
    deps.db
      .insert(incidentPostmortems)
      .values({ incidentId, body: input.body, createdAt: now, updatedAt: now })
      .onConflictDoUpdate({ target: incidentPostmortems.incidentId, set: { body: input.body, updatedAt: now } }),
  ]);
  return written(await loadPostmortem(deps, incidentId), draftEffects);
}

/** Drops the draft. A published postmortem is unpublished first, so readers never keep a text staff dropped. */
export async function dropPostmortem(deps: StaffDeps, incidentId: string): Promise<Written<PostmortemState>> {
  const state = await getPostmortem(deps, incidentId);
  if (state.publishedBody !== null) {
    throw new AppError("conflict", `The postmortem of incident ${incidentId} is published: unpublish it first`);
  }
  const { draft } = state;
  // The row stays while it remembers that subscribers were told, so a new draft is never emailed a second time.
  const statement =
    draft?.notifiedAt == null
      ? deps.db.delete(incidentPostmortems).where(eq(incidentPostmortems.incidentId, incidentId))
      : deps.db
          .update(incidentPostmortems)
          .set({ body: null, updatedAt: deps.clock() })
          .where(eq(incidentPostmortems.incidentId, incidentId));
  await writeAudited(deps, audit(incidentId, "postmortem_delete"), [statement]);
  return written(await loadPostmortem(deps, incidentId), draftEffects);
}

/**
 * Publishes the draft: the incident moves to `postmortem` (only its status, as on Statuspage) and its pages show the
 * text. Publishing again after an edit replaces the text. Subscribers of the incident's components are told when
 * `notify` asks it and they never were: `notified_at` is set in the same write as the outbox entry.
 */
export async function publishPostmortem(
  deps: StaffDeps,
  incidentId: string,
  input: PostmortemPublish,
): Promise<Written<PostmortemState>> {
  const state = await loadPostmortem(deps, incidentId);
  assertResolved(state.incident);
  const body = state.draft?.body;
  if (body == null) throw noDraft(incidentId);
  const { db } = deps;
  const now = deps.clock();
  const updateId = postmortemUpdateId(incidentId);
  const notify = input.notify && state.draft?.notifiedAt == null;
  const republish = state.publishedBody !== null;
  const statements: Statement[] = [
    republish
      ? db
          .update(incidentUpdates)
          .set({ body, updatedAt: now, ...(notify && { deliverNotifications: true }) })
          .where(eq(incidentUpdates.id, updateId))
      : db.insert(incidentUpdates).values({
          id: updateId,
          incidentId,
          status: "postmortem",
          body,
          displayAt: now,
          deliverNotifications: notify,
          createdAt: now,
          updatedAt: now,
        }),
    db.update(incidents).set({ status: "postmortem", updatedAt: now }).where(eq(incidents.id, incidentId)),
    db
      .update(incidentPostmortems)
      .set({ publishedAt: republish ? state.draft!.publishedAt : now, ...(notify && { notifiedAt: now }) })
      .where(eq(incidentPostmortems.incidentId, incidentId)),
    ...(notify ? enqueueStatements(db, incidentId, updateId, now, { notificationId: updateId }) : []),
    ...(notify ? incidentWebhookStatements(db, incidentId, now) : []),
  ];
  const entry = audit(incidentId, "postmortem_publish", {
    before: jsonObject({ status: incidentNow(incidentId, incidents.status) }),
    after: { status: "postmortem", notify },
  });
  try {
    await writeAudited(deps, entry, statements);
  } catch (error) {
    // Another request published it, or told subscribers, between our read and our write (the update's id or the
    // notification's id is taken): that one's write stands, telling subscribers at most once, and this one answers
    // what is now published.
    const current = await loadPostmortem(deps, incidentId);
    const overtaken = republish ? notify && current.draft?.notifiedAt != null : current.publishedBody !== null;
    if (!overtaken) throw error;
    return written(current, incidentEffects(incidentId));
  }
  return written(await loadPostmortem(deps, incidentId), incidentEffects(incidentId));
}

/**
 * Hides the postmortem and returns the incident to `resolved`. Its update goes, and with it whatever of its
 * notification was not sent yet; `notified_at` stays, so publishing again never tells subscribers twice.
 */
export async function unpublishPostmortem(deps: StaffDeps, incidentId: string): Promise<Written<PostmortemState>> {
  const state = await loadPostmortem(deps, incidentId);
  if (state.publishedBody === null) {
    throw new AppError("conflict", `The postmortem of incident ${incidentId} is not published`);
  }
  const { db } = deps;
  const now = deps.clock();
  await writeAudited(
    deps,
    audit(incidentId, "postmortem_unpublish", {
      before: jsonObject({ status: incidentNow(incidentId, incidents.status) }),
      after: { status: "resolved" },
    }),
    [
      db.delete(incidentUpdates).where(eq(incidentUpdates.id, postmortemUpdateId(incidentId))),
      // An incident staff reopened since keeps its status; the page changes either way.
      db
        .update(incidents)
        .set({
          status: sql`case when ${incidents.status} = 'postmortem' then 'resolved' else ${incidents.status} end`,
          updatedAt: now,
        })
        .where(eq(incidents.id, incidentId)),
      db.update(incidentPostmortems).set({ publishedAt: null }).where(eq(incidentPostmortems.incidentId, incidentId)),
    ],
  );
  return written(await loadPostmortem(deps, incidentId), incidentEffects(incidentId));
}

/** The latest closed incidents, newest resolution first: where the console links to their postmortems. */
export async function listClosedIncidents(deps: Deps, limit = 10) {
  return deps.db
    .select({ id: incidents.id, name: incidents.name, status: incidents.status, resolvedAt: incidents.resolvedAt })
    .from(incidents)
    .where(and(eq(incidents.kind, "incident"), inArray(incidents.status, [...closedIncidentStatuses])))
    .orderBy(desc(incidents.resolvedAt), desc(incidents.startedAt))
    .limit(limit);
}
