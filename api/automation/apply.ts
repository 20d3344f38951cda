/**
 * What a detection does. Monitors, heartbeats and alerts from monitoring tools each conclude "problem" or "fine"
 * about a component; this module turns such a conclusion into the same writes staff make (component status, an
 * incident or a draft, subscribers told or not), records what it did in `automatic_states`, and on recovery undoes
 * only what it did and still stands. The rules (docs/automatic-status.md):
 *
 * 1. A problem changes a component only if it is operational, or shows a status automation set. A status staff set
 *    themselves, or a maintenance under way, is left alone.
 * 2. Recovery restores a component only if it still shows the status this source set; it goes back to the worst
 *    status other sources still ask for, or operational. If staff changed it meanwhile, it stays as they left it.
 * 3. An incident is opened (or a draft prepared) only if no open incident already covers the component. Recovery
 *    resolves it only if nobody else has touched it since (its last change is automation's own); otherwise staff own
 *    it and are told the source recovered.
 * 4. Every change of state is told to the staff, whatever automation did or left alone, and says which.
 */
import { and, eq, ne, notInArray } from "drizzle-orm";
import type { Statement } from "@/db/client";
import {
  type AutomaticIncidentMode,
  type AutomaticSourceKind,
  type AutomaticState,
  automaticStates,
  type ComponentStatus,
  closedIncidentStatuses,
  components,
  incidentComponents,
  incidentDrafts,
  incidents,
} from "@/db/schema";
import { newId } from "@/api/ids";
import { runAtomically } from "@/db/client";
import { type StaffDeps, systemActor } from "@/api/services/audit";
import type { Deps } from "@/api/services/deps";
import { type Effects, type Written, written } from "@/api/services/effects";
import { openIncident, postIncidentUpdate } from "@/api/services/incidents";
import { updateComponent } from "@/api/services/components";
import { worstStatus } from "@/api/services/overall-status";
import { componentStatusLabels } from "@/present/labels";
import { staffAlertStatements } from "@/api/services/staff-alerts";

export type AutomaticSource = { kind: AutomaticSourceKind; id: string; name: string };

export type Detection = {
  source: AutomaticSource;
  componentId: string | null;
  /** The component status the source asks for while something is wrong; null: all is fine again. */
  problem: ComponentStatus | null;
  incident: AutomaticIncidentMode;
  /** Whether the incident's updates are sent to subscribers. */
  notify: boolean;
  /** For the staff: what the source saw ("HTTP 503", "no ping since 04:30"). Never shown to customers. */
  reason: string;
  /** Where staff look at the source (its console page). */
  link?: string;
};

/** A staff alert to queue in the same write (api/services/staff-alerts: the staff's destinations, never subscribers). */
export type StaffAlert = { key: string; kind: string; subject: string; text: string; link?: string };
export type StaffAlertStatements = (alert: StaffAlert, at: number) => Statement[];

export type DetectionOutcome = {
  /** What was done, in a sentence, for logs and the staff alert. */
  did: string;
  componentStatus: ComponentStatus | null;
  incidentId: string | null;
  draftId: string | null;
};

/**
 * Applies a change of a source's conclusion. Called only when the conclusion changes (the monitor's thresholds
 * decide that); applying the same conclusion twice changes nothing the second time.
 */
export async function applyDetection(
  deps: Deps,
  detection: Detection,
  staffAlert: StaffAlertStatements = (alert, at) => staffAlertStatements(deps.db, alert, at),
): Promise<Written<DetectionOutcome>> {
  const { db } = deps;
  const now = deps.clock();
  const { source } = detection;
  const previous = await stateOf(deps, source);
  const component = detection.componentId ? await componentRow(deps, detection.componentId) : null;
  // One instant for the whole write: recovery compares the incident's last change with `changed_at` to tell whether
  // staff touched it since, so automation's own write must not look later than itself.
  const staff: StaffDeps = { ...deps, clock: () => now, actor: systemActor(`${source.kind} ${source.name}`) };

  if (detection.problem !== null && previous?.problem && previous.wantedStatus === detection.problem) {
    return written(unchanged(previous), {});
  }
  if (detection.problem === null && !previous?.problem) return written(unchanged(previous), {});

  const next: AutomaticState = {
    sourceKind: source.kind,
    sourceId: source.id,
    componentId: component?.id ?? null,
    problem: detection.problem !== null,
    wantedStatus: detection.problem,
    setStatus: null,
    incidentId: previous?.incidentId ?? null,
    draftId: previous?.draftId ?? null,
    changedAt: now,
  };
  const notes: string[] = [];
  let componentChange: ComponentStatus | null = null;
  let resolveIncident = false;
  let openNew: "incident" | "draft" | null = null;

  if (detection.problem !== null) {
    // A problem, new or changed (degraded → down, a provider's partial → major outage).
    if (component) {
      const ours = previous?.setStatus != null && previous.setStatus === component.status;
      const others = await otherWanted(deps, source, component.id);
      if (component.status === "under_maintenance") {
        notes.push(`${component.name} is under maintenance, so its status was left alone`);
      } else if (ours || component.status === "operational" || others.includes(component.status)) {
        const target = worstStatus([detection.problem, ...others]);
        if (target !== component.status) componentChange = target;
        next.setStatus = target;
        notes.push(`${component.name} is now ${label(target)}`);
      } else {
        notes.push(`${component.name} shows ${label(component.status)}, set by staff, so Marquee left it`);
      }
    }
    if (!previous?.problem && detection.incident !== "off" && component) {
      const covering = await openIncidentsCovering(deps, component.id);
      if (covering.length > 0) notes.push("an open incident already covers it, so none was opened");
      else openNew = detection.incident === "publish" ? "incident" : "draft";
    }
  } else {
    // Recovery.
    if (component) {
      const others = await otherWanted(deps, source, component.id);
      if (previous?.setStatus != null && previous.setStatus === component.status) {
        const target = worstStatus(others);
        if (target !== component.status) componentChange = target;
        notes.push(`${component.name} is ${label(target)} again`);
      } else if (previous?.setStatus != null) {
        notes.push(`${component.name} was changed by staff meanwhile (${label(component.status)}), so Marquee left it`);
      }
    }
    if (previous?.incidentId) {
      const incident = await incidentRow(deps, previous.incidentId);
      if (incident && !closedIncidentStatuses.includes(incident.status as never)) {
        if (incident.updatedAt <= previous.changedAt) resolveIncident = true;
        else notes.push("staff have updated its incident since, so it was left open for them");
      }
    }
    next.incidentId = null;
    if (previous?.draftId) {
      next.draftId = null;
      notes.push("the unpublished draft incident was discarded");
    }
  }

  let incidentId: string | null = null;
  if (openNew === "incident") {
    incidentId = newId();
    next.incidentId = incidentId;
  }
  let draftId: string | null = null;
  if (openNew === "draft") {
    draftId = newId();
    next.draftId = draftId;
    notes.push("a draft incident waits for staff to publish it");
  }

  const did = notes.join("; ");
  const alert = staffAlertFor(detection, did, now);
  const bookkeeping: Statement[] = [
    db
      .insert(automaticStates)
      .values(next)
      .onConflictDoUpdate({ target: [automaticStates.sourceKind, automaticStates.sourceId], set: { ...next } }),
    ...(previous?.draftId && detection.problem === null
      ? [db.delete(incidentDrafts).where(eq(incidentDrafts.id, previous.draftId))]
      : []),
    ...(draftId && component
      ? [
          db.insert(incidentDrafts).values({
            id: draftId,
            name: incidentName(component.name),
            body: problemBody(component.name),
            components: { [component.id]: detection.problem! },
            notify: detection.notify,
            sourceKind: source.kind,
            sourceId: source.id,
            createdAt: now,
          }),
        ]
      : []),
    ...staffAlert(alert, now),
  ];
  const withBookkeeping: StaffDeps = { ...staff, alsoWrite: bookkeeping };
  const effects: Effects = { wake: true };

  if (openNew === "incident" && component) {
    const changes = componentChange ? { [component.id]: componentChange } : {};
    await openIncident(
      withBookkeeping,
      {
        name: incidentName(component.name),
        status: "investigating",
        body: problemBody(component.name),
        components: changes,
        notify: detection.notify,
      },
      incidentId!,
    );
    effects.publish = { incidents: [incidentId!] };
  } else if (resolveIncident && previous?.incidentId) {
    await postIncidentUpdate(withBookkeeping, previous.incidentId, {
      status: "resolved",
      body: component ? recoveryBody(component.name) : undefined,
      components: componentChange && component ? { [component.id]: componentChange } : {},
      notify: detection.notify,
    });
    effects.publish = { incidents: [previous.incidentId] };
  } else if (componentChange && component) {
    await updateComponent(withBookkeeping, component.id, { status: componentChange });
    effects.publish = {};
  } else {
    await runAtomically(db, bookkeeping);
  }
  return written({ did, componentStatus: componentChange, incidentId, draftId }, effects);
}

const label = (status: ComponentStatus) => componentStatusLabels[status].toLowerCase();
const unchanged = (state: AutomaticState | undefined): DetectionOutcome => ({
  did: "nothing new",
  componentStatus: null,
  incidentId: state?.incidentId ?? null,
  draftId: state?.draftId ?? null,
});

// What customers read: nothing about how it was detected beyond "our monitoring", and no internal detail.
const incidentName = (component: string) => `${component} is unavailable`;
const problemBody = (component: string) =>
  `Our automatic monitoring detected a problem with ${component}. We are investigating.`;
const recoveryBody = (component: string) =>
  `${component} is working normally again. Our automatic monitoring confirmed the recovery.`;

function staffAlertFor(detection: Detection, did: string, at: number): StaffAlert {
  const { source } = detection;
  const what =
    detection.problem === null ? "recovered" : detection.problem === "degraded_performance" ? "degraded" : "down";
  const subject = `${source.name} is ${what === "recovered" ? "up again" : what}`;
  const text = [
    `${cap(source.kind)} "${source.name}" ${what === "recovered" ? "recovered" : `reports a problem: ${detection.reason}`}.`,
    "",
    did
      ? `Marquee: ${did}.`
      : `Marquee changed nothing on the page${detection.componentId ? "" : " (no component is attached)"}.`,
    ...(detection.link ? ["", detection.link] : []),
  ].join("\n");
  return {
    key: `${source.kind}-${source.id}-${what}-${at}`,
    kind: `${source.kind}_${what}`,
    subject,
    text,
    link: detection.link,
  };
}
const cap = (s: string) => s[0]!.toUpperCase() + s.slice(1);

async function stateOf({ db }: Deps, source: AutomaticSource): Promise<AutomaticState | undefined> {
  const [row] = await db
    .select()
    .from(automaticStates)
    .where(and(eq(automaticStates.sourceKind, source.kind), eq(automaticStates.sourceId, source.id)));
  return row;
}

async function componentRow({ db }: Deps, id: string) {
  const [row] = await db
    .select({ id: components.id, name: components.name, status: components.status })
    .from(components)
    .where(eq(components.id, id));
  return row ?? null;
}

/** The statuses other sources still ask for on this component. */
async function otherWanted({ db }: Deps, source: AutomaticSource, componentId: string): Promise<ComponentStatus[]> {
  const rows = await db
    .select({ kind: automaticStates.sourceKind, id: automaticStates.sourceId, wanted: automaticStates.wantedStatus })
    .from(automaticStates)
    .where(and(eq(automaticStates.componentId, componentId), eq(automaticStates.problem, true)));
  return rows.filter((r) => !(r.kind === source.kind && r.id === source.id) && r.wanted !== null).map((r) => r.wanted!);
}

/** Open incidents and maintenances under way that name the component. */
async function openIncidentsCovering({ db }: Deps, componentId: string): Promise<string[]> {
  const rows = await db
    .select({ id: incidents.id, kind: incidents.kind, status: incidents.status })
    .from(incidentComponents)
    .innerJoin(incidents, eq(incidents.id, incidentComponents.incidentId))
    .where(
      and(
        eq(incidentComponents.componentId, componentId),
        ne(incidents.kind, "maintenance"),
        notInArray(incidents.status, [...closedIncidentStatuses]),
      ),
    );
  return rows.map((r) => r.id);
}

async function incidentRow({ db }: Deps, id: string) {
  const [row] = await db
    .select({ id: incidents.id, status: incidents.status, updatedAt: incidents.updatedAt })
    .from(incidents)
    .where(eq(incidents.id, id));
  return row ?? null;
}
