import { and, asc, eq, sql } from "drizzle-orm";
import { runAtomically } from "@/db/client";
import { type StaffDestination, staffDestinations } from "@/db/schema";
import { AppError, notFound } from "@/api/errors";
import { newId, randomToken } from "@/api/ids";
import { checkUserUrl } from "@/api/outbound/outbound";
import type { StaffDestinationCreate } from "@/api/schemas";
import { fieldNames, type StaffDeps, writeAudited } from "./audit";
import type { Deps } from "./deps";
import { type Written, written } from "./effects";

export function listStaffDestinations({ db }: Deps): Promise<StaffDestination[]> {
  return db.select().from(staffDestinations).orderBy(asc(staffDestinations.createdAt), asc(staffDestinations.id));
}

async function findDestination({ db }: Deps, id: string): Promise<StaffDestination> {
  const [row] = await db.select().from(staffDestinations).where(eq(staffDestinations.id, id));
  if (!row) throw notFound("Staff destination", id);
  return row;
}

/** Adds a destination. A webhook gets a new signing secret, which the caller shows once. */
export async function createStaffDestination(
  deps: StaffDeps,
  input: StaffDestinationCreate,
): Promise<Written<StaffDestination>> {
  // Refused before it is stored, and again before each send (api/outbound, docs/security.md).
  if (input.kind !== "email") await checkUserUrl(deps, input.target, "target");
  const [same] = await deps.db
    .select({ id: staffDestinations.id })
    .from(staffDestinations)
    .where(and(eq(staffDestinations.kind, input.kind), eq(staffDestinations.target, input.target)));
  if (same)
    throw new AppError("conflict", `This ${input.kind} is already staff destination ${same.id}`, { id: same.id });
  const row: StaffDestination = {
    id: newId(),
    kind: input.kind,
    target: input.target,
    name: input.name ?? null,
    source: "api",
    secret: input.kind === "webhook" ? randomToken(32) : null,
    createdAt: deps.clock(),
    disabledAt: null,
    disabledReason: null,
  };
  // An address or a URL (which may carry a token) and the secret: the audit row names the fields only.
  try {
    await writeAudited(
      deps,
      { resourceType: "staff_destination", resourceId: row.id, action: "create", fields: fieldNames(input) },
      [deps.db.insert(staffDestinations).values(row)],
    );
  } catch (error) {
    // Two requests racing for one target: the unique index refuses the second, answered as the check above would.
    if (/UNIQUE constraint failed: staff_destinations\./.test(String(error))) {
      throw new AppError("conflict", `This ${input.kind} is already a staff destination`);
    }
    throw error;
  }
  return written(row, {});
}

/** Removes a destination made through the API, with its queued deliveries. STAFF_EMAILS ones go with the setting. */
export async function deleteStaffDestination(deps: StaffDeps, id: string): Promise<Written<void>> {
  const row = await findDestination(deps, id);
  if (row.source === "config") {
    throw new AppError("conflict", "This address comes from STAFF_EMAILS: remove it there, and restart");
  }
  await writeAudited(deps, { resourceType: "staff_destination", resourceId: id, action: "delete" }, [
    deps.db.delete(staffDestinations).where(eq(staffDestinations.id, id)),
  ]);
  return written(undefined, {});
}

/**
 * Makes the email destinations from STAFF_EMAILS match the setting, at each start (Node and Workers): listed
 * addresses are added when missing, those no longer listed removed; destinations made through the API are kept, and
 * an address that already is one is not added twice. Safe to run twice at once (two Workers isolates).
 */
export async function syncStaffEmails(deps: Deps, emails: readonly string[]): Promise<void> {
  const listed = JSON.stringify([...new Set(emails.map((e) => e.trim().toLowerCase()))]);
  const t = staffDestinations;
  await runAtomically(deps.db, [
    deps.db
      .delete(t)
      .where(
        and(
          eq(t.source, "config"),
          eq(t.kind, "email"),
          sql`${t.target} NOT IN (SELECT value FROM json_each(${listed}))`,
        ),
      ),
    // `where true`: SQLite needs a WHERE in an INSERT … SELECT that has an ON CONFLICT clause.
    deps.db
      .insert(t)
      .select(
        sql`select lower(hex(randomblob(6))), 'email', value, 'STAFF_EMAILS', 'config', null, ${deps.clock()}, null, null
            from json_each(${listed}) where true`,
      )
      .onConflictDoNothing(),
  ]);
}
