import type { Component, ComponentStatus } from "@/db/schema";
import { isoInZone } from "@/present/time";
import { publishedPostmortem } from "@/present/postmortem";
import { presentComponent, presentIncident } from "@/present/statuspage";
import type { IncidentView, PageInfo } from "@/present/views";
import type { OverallStatus } from "@/present/views";

/**
 * Statuspage's webhook bodies (reference/statuspage-v2.md §5.4): consumers tell them apart by the top-level key,
 * `incident` or `component` with `component_update`. The incident carries the union of the documented and the real
 * payload's keys, with nulls where Marquee has nothing to say.
 */
function envelope(page: PageInfo, overall: OverallStatus, now: number) {
  return {
    meta: {
      unsubscribe: null,
      documentation: `${page.url}/api/v1/openapi.json`,
      generated_at: isoInZone(now, page.timeZone),
    },
    page: { id: page.id, status_indicator: overall.indicator, status_description: overall.description },
  };
}

export function incidentPayload(page: PageInfo, overall: OverallStatus, incident: IncidentView, now: number) {
  const presented = presentIncident(incident, page) as Record<string, unknown>;
  const postmortem = publishedPostmortem(incident);
  const at = (ms: number) => isoInZone(ms, page.timeZone);
  return {
    ...envelope(page, overall, now),
    incident: {
      backfilled: false,
      impact_override: null,
      postmortem_body: postmortem?.body ?? null,
      postmortem_body_last_updated_at: postmortem ? at(postmortem.updatedAt) : null,
      postmortem_ignored: false,
      postmortem_notified_subscribers: postmortem?.deliverNotifications ?? false,
      postmortem_notified_twitter: false,
      postmortem_published_at: postmortem ? at(postmortem.displayAt) : null,
      scheduled_for: null,
      scheduled_until: null,
      scheduled_remind_prior: false,
      scheduled_reminded_at: null,
      scheduled_auto_in_progress: incident.kind === "maintenance" && incident.autoTransition,
      scheduled_auto_completed: incident.kind === "maintenance" && incident.autoTransition,
      ...presented,
    },
  };
}

export function componentPayload(
  page: PageInfo,
  overall: OverallStatus,
  component: Component,
  change: { id: string; oldStatus: ComponentStatus; newStatus: ComponentStatus; at: number },
  now: number,
) {
  return {
    ...envelope(page, overall, now),
    component_update: {
      created_at: isoInZone(change.at, page.timeZone),
      new_status: change.newStatus,
      old_status: change.oldStatus,
      id: change.id,
      component_id: component.id,
      component_type: "Component",
    },
    component: presentComponent(component, page),
  };
}
