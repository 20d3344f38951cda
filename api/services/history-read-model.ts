import { and, asc, count, desc, eq, gte, inArray, lt, lte, or, sql, type SQL } from "drizzle-orm";
import type { Db } from "@/db/client";
import { type Incident, incidentKinds, incidents } from "@/db/schema";
import { inSlices } from "./read-model";

// The queries behind the history pages and the front page's past days. Each reads a bounded slice (LIMIT/OFFSET,
// counts in SQL), however many incidents a month or a day holds. The history is in start order, ties broken by
// creation then id, so a position in it is the same for every query.

/** What places an incident in start order. */
export type StartKey = Pick<Incident, "id" | "startedAt" | "createdAt">;

const oldestFirst = [asc(incidents.startedAt), asc(incidents.createdAt), asc(incidents.id)];
const newestFirst = [desc(incidents.startedAt), desc(incidents.createdAt), desc(incidents.id)];

// Naming both kinds lets SQLite range-scan the (kind, started_at) index.
const startedIn = (from: number, to: number) =>
  and(inArray(incidents.kind, [...incidentKinds]), gte(incidents.startedAt, from), lt(incidents.startedAt, to));

/** How many incidents and maintenances started in [from, to). */
export async function countStartedBetween(db: Db, from: number, to: number): Promise<number> {
  const [row] = await db.select({ n: count() }).from(incidents).where(startedIn(from, to));
  return row?.n ?? 0;
}

/** How many incidents and maintenances that started from `from` on come before `key` in start order. */
export async function countStartedBefore(db: Db, from: number, key: StartKey): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(incidents)
    .where(
      and(
        startedIn(from, key.startedAt + 1),
        or(
          lt(incidents.startedAt, key.startedAt),
          and(
            eq(incidents.startedAt, key.startedAt),
            or(
              lt(incidents.createdAt, key.createdAt),
              and(eq(incidents.createdAt, key.createdAt), lt(incidents.id, key.id)),
            ),
          ),
        ),
      ),
    );
  return row?.n ?? 0;
}

/** Incidents and maintenances started in [from, to): `limit` of them from the `offset`-th oldest on, newest first. */
export async function loadStartedSlice(
  db: Db,
  from: number,
  to: number,
  offset: number,
  limit: number,
): Promise<Incident[]> {
  const rows = await db
    .select()
    .from(incidents)
    .where(startedIn(from, to))
    .orderBy(...oldestFirst)
    .limit(limit)
    .offset(offset);
  return rows.reverse();
}

/** The newest `limit` incidents and maintenances started in [from, to), newest first. */
export async function loadNewestStarted(db: Db, from: number, to: number, limit: number): Promise<Incident[]> {
  return db
    .select()
    .from(incidents)
    .where(startedIn(from, to))
    .orderBy(...newestFirst)
    .limit(limit);
}

/**
 * For each of consecutive ranges [from, to), newest first (the days of the front page), the newest `limit` incidents
 * (not maintenances) that started in it, newest first, and how many did. One statement, whatever the ranges hold.
 */
export async function loadNewestPerRange(
  db: Db,
  ranges: readonly (readonly [number, number])[],
  limit: number,
): Promise<{ incidents: Incident[]; count: number }[]> {
  const result = ranges.map(() => ({ incidents: [] as Incident[], count: 0 }));
  if (ranges.length === 0) return result;
  const whens: SQL[] = ranges.map(([from], i) => sql`when ${incidents.startedAt} >= ${from} then ${i}`);
  const inWindow = db
    .select({
      id: incidents.id,
      startedAt: incidents.startedAt,
      createdAt: incidents.createdAt,
      range: sql<number>`case ${sql.join(whens, sql` `)} end`.as("range"),
    })
    .from(incidents)
    .where(
      and(
        eq(incidents.kind, "incident"),
        gte(incidents.startedAt, ranges.at(-1)![0]),
        lt(incidents.startedAt, ranges[0]![1]),
      ),
    )
    .as("in_window");
  const ranked = db
    .select({
      id: inWindow.id,
      range: inWindow.range,
      n: sql<number>`row_number() over (partition by ${inWindow.range} order by ${inWindow.startedAt} desc, ${inWindow.createdAt} desc, ${inWindow.id} desc)`.as(
        "n",
      ),
      total: sql<number>`count(*) over (partition by ${inWindow.range})`.as("total"),
    })
    .from(inWindow)
    .as("ranked");
  const top = await db.select().from(ranked).where(lte(ranked.n, limit));
  const rows = await inSlices(
    top.map((t) => t.id),
    (s) => db.select().from(incidents).where(inArray(incidents.id, s)),
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  for (const t of [...top].sort((a, b) => a.n - b.n)) {
    const entry = result[t.range]!;
    entry.count = t.total;
    entry.incidents.push(byId.get(t.id)!);
  }
  return result;
}
