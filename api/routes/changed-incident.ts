import { presentIncident } from "@/present/statuspage";
import type { IncidentView } from "@/present/views";
import { commit, type Written } from "@/api/services/effects";
import { loadPage } from "@/api/services/read-model";
import type { AppDeps } from "@/api/app";

/** Commits a write to an incident or maintenance and answers with it in v2 shape. */
export async function answerChangedIncident(deps: AppDeps, write: Promise<Written<IncidentView>>) {
  const view = await commit(deps, write);
  return presentIncident(view, await loadPage(deps.db, deps.siteUrl));
}
