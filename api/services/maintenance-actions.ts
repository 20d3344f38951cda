import { AppError } from "@/api/errors";
import type { IncidentView } from "@/present/views";
import type { StaffDeps } from "./audit";
import type { Written } from "./effects";
import { getIncidentRow } from "./incidents";
import { postMaintenanceUpdate } from "./maintenances";

/** Starts a scheduled maintenance ahead of its window; one already under way or over is left as it is. */
export async function startMaintenance(deps: StaffDeps, id: string, notify: boolean): Promise<Written<IncidentView>> {
  const maintenance = await getIncidentRow(deps, id, "maintenance");
  if (maintenance.status !== "scheduled") throw new AppError("conflict", "This maintenance has already started");
  return postMaintenanceUpdate(deps, id, { status: "in_progress", notify });
}

export const cancelledBody = "This scheduled maintenance has been cancelled.";

/**
 * Cancels a maintenance that has not started: Statuspage has no "cancelled" status, so it is completed with a message
 * saying so (and subscribers, told it was scheduled, are told it will not happen). One under way is completed instead.
 */
export async function cancelMaintenance(deps: StaffDeps, id: string, notify: boolean): Promise<Written<IncidentView>> {
  const maintenance = await getIncidentRow(deps, id, "maintenance");
  if (maintenance.status !== "scheduled") {
    throw new AppError("conflict", "This maintenance has already started; complete it instead of cancelling it");
  }
  return postMaintenanceUpdate(deps, id, { status: "completed", body: cancelledBody, notify });
}
