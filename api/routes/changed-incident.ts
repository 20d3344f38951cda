import { presentIncident } from "@/api/publish/statuspage-json";
import type { IncidentView } from "@/api/publish/views";
import { loadPage } from "@/api/services/read-model";
import type { AppDeps } from "@/api/app";

/** After a write to an incident or maintenance: republish its pages, wake the senders, answer in v2 shape. */
export async function answerChangedIncident(deps: AppDeps, view: IncidentView) {
  deps.publisher.touch({ incidents: [view.id] });
  deps.notifier.wake();
  return presentIncident(view, await loadPage(deps.db, deps.siteUrl));
}
