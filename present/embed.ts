// The /embed page: the notice the embed script shows (site/scripts/embed.js), as a page a customer's site can frame.
import { impactTones, indicatorTones, type Tone, updateStatusLabels } from "./labels";
import type { IncidentView, OverallStatus, PageInfo, SiteSnapshot } from "./views";

export type EmbedItem = { id: string; name: string; label: string; href: string };

/** What /embed shows: what is wrong now (open incidents, maintenances under way), or that all is well. */
export type EmbedView = { page: PageInfo; overall: OverallStatus; tone: Tone; items: EmbedItem[] };

// A site path, so a mirror's copy links to the mirror's own incident pages.
const item = (i: IncidentView, label: string): EmbedItem => ({
  id: i.id,
  name: i.name,
  label,
  href: `/incidents/${encodeURIComponent(i.id)}`,
});

const worstFirst = ["critical", "major", "minor"] as const;

export function embedView(snapshot: SiteSnapshot): EmbedView {
  const incidents = snapshot.unresolvedIncidents.map((i) => item(i, updateStatusLabels[i.status]));
  const maintenances = snapshot.activeMaintenances.map((i) =>
    item(i, `Maintenance ${updateStatusLabels[i.status].toLowerCase()}`),
  );
  const impacts = snapshot.unresolvedIncidents.map((i) => impactTones[i.impact]);
  const tone: Tone = incidents.length
    ? (worstFirst.find((t) => impacts.includes(t)) ?? "minor")
    : maintenances.length
      ? "maintenance"
      : indicatorTones[snapshot.overall.indicator];
  return { page: snapshot.page, overall: snapshot.overall, tone, items: [...incidents, ...maintenances] };
}
