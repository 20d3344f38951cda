import * as components from "@/api/services/components";
import * as incidents from "@/api/services/incidents";
import * as maintenances from "@/api/services/maintenances";
import type { Written } from "@/api/services/effects";

/** A write verb that gives its value only, for tests that look at what it wrote rather than at its effects. */
export const valueOf =
  <A extends unknown[], T>(write: (...args: A) => Promise<Written<T>>) =>
  async (...args: A): Promise<T> =>
    (await write(...args)).value;

// The writes tests call directly, by their values: those tests touch the publisher and the senders by hand.
export const openIncident = valueOf(incidents.openIncident);
export const postIncidentUpdate = valueOf(incidents.postIncidentUpdate);
export const deleteIncident = valueOf(incidents.deleteIncident);
export const updateComponent = valueOf(components.updateComponent);
export const advanceMaintenances = valueOf(maintenances.advanceMaintenances);
