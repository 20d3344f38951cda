import { type AutomaticIncidentMode, automaticIncidentModes } from "@/db/vocabulary";
import { type AlertStatus, type SeverityStatuses, statusForLabels } from "./severity";

/** What an alert's labels ask of Marquee (docs/automatic-status.md, "Alerts from Alertmanager and Grafana"). */
export type AlertIntent = {
  /** The `component` label: a component's id or name. */
  component: string | null;
  status: AlertStatus;
  incident: AutomaticIncidentMode;
  notify: boolean;
};

/** Reads the labels Marquee acts on, or says which one is wrong. */
export function readIntent(
  labels: Readonly<Record<string, string>>,
  mapping: SeverityStatuses,
): AlertIntent | { error: string } {
  const wanted = statusForLabels(labels, mapping);
  if ("error" in wanted) return wanted;
  const incident = labels.marquee_incident?.trim().toLowerCase() || "off";
  if (!(automaticIncidentModes as readonly string[]).includes(incident)) {
    return { error: `marquee_incident "${incident}" is not one of ${automaticIncidentModes.join(", ")}` };
  }
  const notify = labels.marquee_notify?.trim().toLowerCase() || "false";
  if (notify !== "true" && notify !== "false") return { error: `marquee_notify "${notify}" is not true or false` };
  return {
    component: labels.component?.trim() || null,
    status: wanted.status,
    incident: incident as AutomaticIncidentMode,
    notify: notify === "true",
  };
}

const maxLabelValue = 200;
const maxLabelsJson = 4096;

/** The labels as kept with the alert: each value cut to 200 characters, and no more than 4 KB in all. */
export function keptLabels(labels: Readonly<Record<string, string>>): Record<string, string> {
  const kept: Record<string, string> = {};
  let size = 2;
  for (const name of Object.keys(labels).sort()) {
    const value = labels[name]!.slice(0, maxLabelValue);
    const entry = JSON.stringify(name).length + JSON.stringify(value).length + 2;
    if (size + entry > maxLabelsJson) break;
    kept[name] = value;
    size += entry;
  }
  return kept;
}

/** Grafana before fingerprints: the alert's identity is its label set, hashed in a stable order. */
export const labelsIdentity = (labels: Readonly<Record<string, string>>) =>
  JSON.stringify(
    Object.keys(labels)
      .sort()
      .map((k) => [k, labels[k]]),
  );
