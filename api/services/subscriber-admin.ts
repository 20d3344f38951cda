import { and, count, desc, eq, inArray, like, sql } from "drizzle-orm";
import { runAtomically, type Statement } from "@/db/client";
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
import type { Deps } from "./deps";

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

export async function deleteSubscriber({ db }: Deps, id: string) {
  const [row] = await db.select({ id: subscribers.id }).from(subscribers).where(eq(subscribers.id, id));
  if (!row) throw notFound("Subscriber", id);
  await db.delete(subscribers).where(eq(subscribers.id, id));
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

/**
 * Imports subscribers in one atomic write. Each row is validated on its own; bad rows are reported by index and the
 * rest go in. The same address twice is merged, components included. Rows are inserted in slices small enough for
 * D1's 100 bound parameters per statement.
 */
export async function importSubscribers(
  deps: Deps,
  rows: unknown[],
  skipConfirmation: boolean,
  knownComponents?: Set<string>,
): Promise<ImportReport> {
  knownComponents ??= new Set((await deps.db.select({ id: components.id }).from(components)).map((r) => r.id));
  const known = knownComponents;
  const report: ImportReport = { created: 0, updated: 0, skipped: 0, invalid: [], merged: 0, toConfirm: [] };
  const wanted = new Map<string, { all: boolean; components: Set<string> }>();
  rows.forEach((raw, index) => {
    const parsed = SubscriberImportRow.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      report.invalid.push({ index, message: `${issue.path.join(".") || "row"}: ${issue.message}` });
      return;
    }
    const unknown = (parsed.data.components ?? []).filter((c) => !known.has(c));
    if (unknown.length > 0) {
      report.invalid.push({ index, message: `components: unknown component id ${unknown.join(", ")}` });
      return;
    }
    const entry = wanted.get(parsed.data.email);
    const components = parsed.data.components ?? [];
    if (entry) {
      report.merged++;
      entry.all ||= components.length === 0;
      for (const c of components) entry.components.add(c);
    } else {
      wanted.set(parsed.data.email, { all: components.length === 0, components: new Set(components) });
    }
  });

  const emails = [...wanted.keys()];
  const existing = new Map<string, typeof subscribers.$inferSelect>();
  for (let i = 0; i < emails.length; i += 90) {
    for (const row of await deps.db
      .select()
      .from(subscribers)
      .where(inArray(subscribers.email, emails.slice(i, i + 90)))) {
      existing.set(row.email, row);
    }
  }

  const now = deps.clock();
  const status = skipConfirmation ? "active" : "unconfirmed";
  const inserts: (typeof subscribers.$inferInsert)[] = [];
  const links: { subscriberId: string; componentId: string }[] = [];
  const statements: Statement[] = [];
  for (const [email, want] of wanted) {
    const old = existing.get(email);
    if (old && (old.status === "unsubscribed" || old.status === "suppressed")) {
      report.skipped++;
      continue;
    }
    const id = old?.id ?? newId();
    if (old) {
      report.updated++;
      const promote = skipConfirmation && old.status === "unconfirmed";
      if ((want.all && !old.allComponents) || promote) {
        statements.push(
          deps.db
            .update(subscribers)
            .set({
              allComponents: old.allComponents || want.all,
              updatedAt: now,
              ...(promote && { status: "active" as const, confirmedAt: now }),
            })
            .where(eq(subscribers.id, id)),
        );
      }
      if (old.allComponents || want.all) continue;
    } else {
      report.created++;
      inserts.push({
        id,
        email,
        status,
        allComponents: want.all,
        createdAt: now,
        updatedAt: now,
        confirmedAt: skipConfirmation ? now : null,
      });
      if (!skipConfirmation) report.toConfirm.push({ id, email });
    }
    if (!want.all) for (const componentId of want.components) links.push({ subscriberId: id, componentId });
  }
  for (let i = 0; i < inserts.length; i += 12)
    statements.push(deps.db.insert(subscribers).values(inserts.slice(i, i + 12)));
  for (let i = 0; i < links.length; i += 45) {
    statements.push(
      deps.db
        .insert(subscriberComponents)
        .values(links.slice(i, i + 45))
        .onConflictDoNothing(),
    );
  }
  await runAtomically(deps.db, statements);
  return report;
}

/** Each recent notification with how many of its emails are sent, waiting or failed, and why they failed. */
export async function deliveryProgress({ db }: Deps, limit: number) {
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
      sent: total("sent"),
      pending: total("pending"),
      failed: total("failed"),
      errors: mine
        .filter((c) => c.error && c.status !== "sent")
        .map((c) => ({ status: c.status, error: c.error, count: c.n })),
    };
  });
}
