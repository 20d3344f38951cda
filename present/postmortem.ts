import { isoInZone } from "./time";
import type { IncidentView, UpdateView } from "./views";

/**
 * A published postmortem is kept as an update of status `postmortem` with this id, one per incident: the outbox, chat
 * and webhooks reach it as any update, and two racing publishes cannot both insert it. Statuspage keeps a postmortem
 * apart from the incident's updates (its own `postmortem_*` fields; reference/statuspage-v2.md §4, §5.4), so pages, feeds
 * and JSON show it on its own and leave it out of the timeline.
 */
export const postmortemUpdateId = (incidentId: string) => `${incidentId}-postmortem`;

/** The incident's published postmortem, or null. */
export function publishedPostmortem(incident: IncidentView): UpdateView | null {
  const id = postmortemUpdateId(incident.id);
  return incident.updates.find((u) => u.id === id) ?? null;
}

/** The incident's updates without its postmortem, newest first. */
export function timelineUpdates(incident: IncidentView): UpdateView[] {
  const id = postmortemUpdateId(incident.id);
  return incident.updates.some((u) => u.id === id) ? incident.updates.filter((u) => u.id !== id) : incident.updates;
}

/** The staff API's postmortem object. */
export function presentPostmortem(
  state: {
    incident: { id: string; status: string };
    draft: { body: string | null; updatedAt: number; publishedAt: number | null; notifiedAt: number | null } | null;
    publishedBody: string | null;
  },
  timeZone: string,
) {
  const at = (ms: number | null | undefined) => (ms == null ? null : isoInZone(ms, timeZone));
  return {
    incident_id: state.incident.id,
    incident_status: state.incident.status,
    body: state.draft?.body ?? null,
    body_updated_at: at(state.draft?.updatedAt),
    published: state.publishedBody !== null,
    published_body: state.publishedBody,
    published_at: at(state.draft?.publishedAt),
    notified_subscribers: state.draft?.notifiedAt != null,
    notified_at: at(state.draft?.notifiedAt),
  };
}
