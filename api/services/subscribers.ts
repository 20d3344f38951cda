import { and, count, desc, eq, inArray, like, sql } from "drizzle-orm";
import type { Statement } from "@/db/client";
import {
  components,
  deliveries,
  notifications,
  subscriberComponents,
  subscribers,
  subscriberStatuses,
} from "@/db/schema";
import { notFound } from "@/api/errors";
import { newId } from "@/api/ids";
import { SubscriberImportRow } from "@/api/schemas";
import { confirmationStatements } from "./confirmations";
import type { DeliveryProgress } from "@/present/admin-views";
import { type StaffDeps, writeAudited } from "./audit";
import { withoutAddresses } from "@/present/redact";
import type { Deps } from "./deps";
import { type Written, written } from "./effects";

type Status = (typeof subscriberStatuses)[number];

export async function listSubscribers(
  { db }: Deps,
  query: { search?: string; status?: Status; limit: number; offset: number },
) {
  const where = and(
    query.search ? like(subscribers.email, `%${query.search.toLowerCase().replace(/[%_]/g, "")}%`) : undefined,
    query.status ? eq(subscribers.status, query.status) : undefined,
  );
  const rows = await db
    .select()
    .from(subscribers)
    .where(where)
    .orderBy(subscribers.email)
    .limit(query.limit)
    .offset(query.offset);
  const [{ n } = { n: 0 }] = await db.select({ n: count() }).from(subscribers).where(where);
  const chosen = new Map<string, string[]>();
  for (let i = 0; i < rows.length; i += 90) {
    const ids = rows.slice(i, i + 90).map((r) => r.id);
    for (const c of await db
      .select()
      .from(subscriberComponents)
      .where(inArray(subscriberComponents.subscriberId, ids))) {
      chosen.set(c.subscriberId, [...(chosen.get(c.subscriberId) ?? []), c.componentId]);
    }
  }
  return {
    total: n,
    subscribers: rows.map((r) => ({ ...r, components: r.allComponents ? [] : (chosen.get(r.id) ?? []) })),
  };
}

/** Removes a subscriber. The audit row keeps the id only: the address is personal data, and it is gone. */
export async function deleteSubscriber(deps: StaffDeps, id: string): Promise<Written<void>> {
  const { db } = deps;
  const [row] = await db.select({ status: subscribers.status }).from(subscribers).where(eq(subscribers.id, id));
  if (!row) throw notFound("Subscriber", id);
  await writeAudited(
    deps,
    {
      resourceType: "subscriber",
      resourceId: id,
      action: "delete",
      before: { status: row.status },
    },
    [db.delete(subscribers).where(eq(subscribers.id, id))],
  );
  return written(undefined, {});
}

export type ImportReport = {
  created: number;
  updated: number;
  /** Addresses that unsubscribed or bounced: an import never subscribes them again. */
  skipped: number;
  invalid: { index: number; message: string }[];
  /** Rows naming an address seen earlier in the same import, merged into it. */
  merged: number;
  /** New unconfirmed subscribers, to whom a confirmation link must go. */
  toConfirm: { id: string; email: string }[];
};

type Wanted = { all: boolean; components: string[] };

// Rows travel as one JSON parameter per statement (D1 binds at most 100 parameters, and allows 2 MB per string):
// a few hundred statements for the largest import, where one statement per dozen rows held the heap's limit.
const rowsPerStatement = 500;
const linksPerStatement = 5000;

/**
 * Imports subscribers in one atomic write. Each row is validated on its own; bad rows are reported by index and the
 * rest go in. The same address twice is merged, components included.
 */
export async function importSubscribers(
  deps: StaffDeps,
  rows: unknown[],
  skipConfirmation: boolean,
  knownComponents?: Set<string>,
): Promise<Written<ImportReport>> {
  knownComponents ??= new Set((await deps.db.select({ id: components.id }).from(components)).map((r) => r.id));
  const report: ImportReport = { created: 0, updated: 0, skipped: 0, invalid: [], merged: 0, toConfirm: [] };
  const wanted = validateImportRows(rows, knownComponents, report);
  const statements: Statement[] = [];
  let slice: [string, Wanted][] = [];
  for (const entry of wanted) {
    slice.push(entry);
    if (slice.length === rowsPerStatement) {
      statements.push(...(await importStatements(deps, slice, skipConfirmation, report)));
      slice = [];
    }
  }
  statements.push(...(await importStatements(deps, slice, skipConfirmation, report)));
  // Addresses that still have to opt in get their confirmation emails queued in the same write.
  statements.push(...(await confirmationStatements(deps, report.toConfirm)));
  // One row for the import, with its counts: the addresses are personal data and stay out of the log.
  const { created, updated, skipped, merged } = report;
  await writeAudited(
    deps,
    {
      resourceType: "subscriber",
      resourceId: null,
      action: "import",
      after: { created, updated, skipped, merged, invalid: report.invalid.length },
      fields: ["email", "components", ...(skipConfirmation ? ["skip_confirmation"] : [])],
    },
    statements,
  );
  return written(report, report.toConfirm.length > 0 ? { wake: true } : {});
}

/** The valid rows by address, duplicates merged; the others reported by index. */
function validateImportRows(rows: unknown[], knownComponents: Set<string>, report: ImportReport) {
  const wanted = new Map<string, Wanted>();
  rows.forEach((raw, index) => {
    const parsed = SubscriberImportRow.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      report.invalid.push({ index, message: `${issue.path.join(".") || "row"}: ${issue.message}` });
      return;
    }
    const components = parsed.data.components ?? [];
    const unknown = components.filter((c) => !knownComponents.has(c));
    if (unknown.length > 0) {
      report.invalid.push({ index, message: `components: unknown component id ${unknown.join(", ")}` });
      return;
    }
    const entry = wanted.get(parsed.data.email);
    if (entry) {
      report.merged++;
      entry.all ||= components.length === 0;
      for (const c of components) if (!entry.components.includes(c)) entry.components.push(c);
    } else {
      wanted.set(parsed.data.email, { all: components.length === 0, components: [...new Set(components)] });
    }
  });
  return wanted;
}

/** The statements that import one slice of addresses, after looking up which of them exist already. */
async function importStatements(
  { db, clock }: Deps,
  slice: [string, Wanted][],
  skipConfirmation: boolean,
  report: ImportReport,
): Promise<Statement[]> {
  if (slice.length === 0) return [];
  const emails = JSON.stringify(slice.map(([email]) => email));
  const existing = new Map(
    (
      await db
        .select()
        .from(subscribers)
        .where(sql`${subscribers.email} IN (SELECT value FROM json_each(${emails}))`)
    ).map((row) => [row.email, row]),
  );
  const now = clock();
  const created: [id: string, email: string, all: boolean][] = [];
  const toAll: string[] = [];
  const toPromote: string[] = [];
  const links: [subscriberId: string, componentIds: string[]][] = [];
  for (const [email, want] of slice) {
    const old = existing.get(email);
    if (old && (old.status === "unsubscribed" || old.status === "suppressed")) {
      report.skipped++;
      continue;
    }
    const id = old?.id ?? newId();
    if (old) {
      report.updated++;
      if (want.all && !old.allComponents) toAll.push(id);
      if (skipConfirmation && old.status === "unconfirmed") toPromote.push(id);
      if (old.allComponents || want.all) continue;
    } else {
      report.created++;
      created.push([id, email, want.all]);
      if (!skipConfirmation) report.toConfirm.push({ id, email });
    }
    if (!want.all) links.push([id, want.components]);
  }

  const statements: Statement[] = [];
  const inJson = (ids: string[]) => sql`${subscribers.id} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`;
  if (created.length > 0) {
    const status = skipConfirmation ? "active" : "unconfirmed";
    const confirmedAt = skipConfirmation ? now : null;
    statements.push(
      db.insert(subscribers).select(
        sql`select json_extract(value, '$[0]'), json_extract(value, '$[1]'), ${status}, json_extract(value, '$[2]'),
              ${now}, ${now}, ${confirmedAt}
            from json_each(${JSON.stringify(created)})`,
      ),
    );
  }
  if (toAll.length > 0) {
    statements.push(db.update(subscribers).set({ allComponents: true, updatedAt: now }).where(inJson(toAll)));
  }
  if (toPromote.length > 0) {
    statements.push(
      db.update(subscribers).set({ status: "active", confirmedAt: now, updatedAt: now }).where(inJson(toPromote)),
    );
  }
  for (let i = 0, count = 0, from = 0; i <= links.length; i++) {
    if (i === links.length || (count > 0 && count + links[i]![1].length > linksPerStatement)) {
      if (count > 0) statements.push(linkStatement(db, links.slice(from, i)));
      [from, count] = [i, 0];
    }
    if (i < links.length) count += links[i]![1].length;
  }
  return statements;
}

/** Adds each subscriber's components; `where true` keeps SQLite from reading ON CONFLICT as a join's ON. */
function linkStatement(db: Deps["db"], links: [string, string[]][]): Statement {
  return db
    .insert(subscriberComponents)
    .select(
      sql`select json_extract(s.value, '$[0]'), c.value
          from json_each(${JSON.stringify(links)}) s, json_each(s.value, '$[1]') c where true`,
    )
    .onConflictDoNothing();
}

/** Each recent notification with how many of its emails are sent, waiting or failed, and why they failed. */
export async function deliveryProgress({ db }: Deps, limit: number): Promise<DeliveryProgress[]> {
  const recent = await db.select().from(notifications).orderBy(desc(notifications.createdAt)).limit(limit);
  const ids = recent.map((n) => n.id);
  const counts =
    ids.length === 0
      ? []
      : await db
          .select({
            notificationId: deliveries.notificationId,
            status: deliveries.status,
            error: deliveries.error,
            n: sql<number>`count(*)`,
          })
          .from(deliveries)
          .where(inArray(deliveries.notificationId, ids))
          .groupBy(deliveries.notificationId, deliveries.status, deliveries.error);
  return recent.map((n) => {
    const mine = counts.filter((c) => c.notificationId === n.id);
    const total = (status: string) => mine.filter((c) => c.status === status).reduce((a, c) => a + c.n, 0);
    return {
      id: n.id,
      incident_id: n.incidentId,
      update_id: n.updateId,
      created_at: new Date(n.createdAt).toISOString(),
      recipients: mine.reduce((a, c) => a + c.n, 0),
      queuing: n.recipientsAfter !== null,
      sent: total("sent"),
      pending: total("pending"),
      failed: total("failed"),
      errors: errorCounts(mine.filter((c) => c.error && c.status !== "sent")),
    };
  });
}

/**
 * Errors as anyone with a read key may see them: without addresses. New errors are stored that way; this also covers
 * those stored before, merging the ones that differed only by the address.
 */
function errorCounts(rows: { status: string; error: string | null; n: number }[]) {
  const merged = new Map<string, { status: string; error: string; count: number }>();
  for (const row of rows) {
    const error = withoutAddresses(row.error ?? "");
    const entry = merged.get(`${row.status}\n${error}`);
    if (entry) entry.count += row.n;
    else merged.set(`${row.status}\n${error}`, { status: row.status, error, count: row.n });
  }
  return [...merged.values()];
}
