import { stateAt } from "@/api/heartbeats/schedule";
import { listHeartbeats } from "@/api/heartbeats/heartbeats";
import type { AutomaticSummary } from "@/present/admin-views";
import type { Deps } from "./deps";
import { listIncidentDrafts } from "./incident-drafts";
import { listMonitors } from "./monitors";
import { loadComponentTree } from "./read-model";

/** What the console's dashboard shows of automatic status: drafts waiting for staff, sources in trouble. */
export async function loadAutomaticSummary(deps: Deps): Promise<AutomaticSummary> {
  const [drafts, monitors, heartbeats, tree] = await Promise.all([
    listIncidentDrafts(deps),
    listMonitors(deps),
    listHeartbeats(deps),
    loadComponentTree(deps.db),
  ]);
  const componentName = new Map(tree.components.map((c) => [c.id, c.name]));
  const now = deps.clock();
  const heartbeatStates = heartbeats.filter((h) => !h.paused).map((h) => stateAt(h, now));
  return {
    drafts: drafts.map((d) => ({
      id: d.id,
      name: d.name,
      components: Object.keys(d.components).map((id) => componentName.get(id) ?? id),
      createdAt: d.createdAt,
    })),
    monitors: {
      down: monitors.filter((m) => m.state === "down").length,
      degraded: monitors.filter((m) => m.state === "degraded").length,
      total: monitors.length,
    },
    heartbeats: {
      late: heartbeatStates.filter((s) => s === "late").length,
      down: heartbeatStates.filter((s) => s === "down").length,
      total: heartbeats.length,
    },
  };
}
