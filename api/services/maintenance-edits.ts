import { eq } from "drizzle-orm";
import { incidents } from "@/db/schema";
import { AppError } from "@/api/errors";
import type { MaintenancePatch } from "@/api/schemas";
import type { IncidentView } from "@/present/views";
import { fieldNames, type StaffDeps, writeAudited } from "./audit";
import { incidentEffects, type Written, written } from "./effects";
import { getIncidentRow } from "./incidents";
import { chooseRemindersStatements, rearmRemindersStatements } from "./maintenance-reminders";
import { loadIncident } from "./read-model";

/**
 * Renames, reschedules or chooses other reminders for a maintenance. A new start applies only before the window has
 * begun; reminders not yet sent (and those skipped for the old time) then follow the new start, and those sent stay
 * sent. A completed maintenance is history and is not edited.
 */
export async function editMaintenance(
  deps: StaffDeps,
  id: string,
  patch: MaintenancePatch,
): Promise<Written<IncidentView>> {
  const row = await getIncidentRow(deps, id, "maintenance");
  if (row.status === "completed") throw new AppError("conflict", "This maintenance is completed");
  if (patch.scheduled_for !== undefined && row.status !== "scheduled") {
    throw new AppError("conflict", "This maintenance has already started; only its end can move");
  }
  const start = patch.scheduled_for ?? row.scheduledFor!;
  const end = patch.scheduled_until ?? row.scheduledUntil!;
  if (end <= start) {
    const message = "must be after scheduled_for";
    throw new AppError("validation_failed", `scheduled_until: ${message}`, [{ path: "scheduled_until", message }]);
  }
  const moved = patch.scheduled_for !== undefined && patch.scheduled_for !== row.scheduledFor;
  const entry = { resourceType: "maintenance", resourceId: id, action: "edit", fields: fieldNames(patch) };
  await writeAudited(deps, entry, [
    deps.db
      .update(incidents)
      .set({
        ...(patch.name !== undefined && { name: patch.name }),
        ...(moved && { scheduledFor: start, startedAt: start }),
        scheduledUntil: end,
        updatedAt: deps.clock(),
      })
      .where(eq(incidents.id, id)),
    ...(patch.reminders ? chooseRemindersStatements(deps.db, id, patch.reminders) : []),
    ...(moved ? rearmRemindersStatements(deps.db, id) : []),
  ]);
  return written(await loadIncident(deps.db, id), incidentEffects(id));
}
