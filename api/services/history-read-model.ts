import { and, asc, count, desc, eq, gte, inArray, lt, or, sql } from "drizzle-orm";
import type { Db } from "@/db/client";
import { type Incident, incidents } from "@/db/schema";
import { inSlices } from "./read-model";

// The queries behind the history pages and the front page's past days. Each reads a bounded slice (LIMIT/OFFSET,
// counts in SQL), however many incidents a month or a day holds. The history is in start order, ties broken by
// creation then id, so a position in it is the same for every query.

/** What places an incident in start order. */
export type StartKey = Pick<Incident, "id" | "startedAt" | "createdAt">;

const oldestFirst = [asc(incidents.startedAt), asc(incidents.createdAt), asc(incidents.id)];
const newestFirst = [desc(incidents.startedAt), desc(incidents.createdAt), desc(incidents.id)];

// Served by the (started_at, created_at, id) index: ranges are counted and walked in order, never sorted.
const startedIn = (from: number, to: number) => and(gte(incidents.startedAt, from), lt(incidents.startedAt, to));

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
 * (not maintenances) that started in it, newest first, and how many did. One statement of one indexed read per range
 * (a window function over the ranges would sort every incident in them), with two parameters each: D1 binds 100.
 */
export async function loadNewestPerRange(
  db: Db,
  ranges: readonly (readonly [number, number])[],
  limit: number,
): Promise<{ incidents: Incident[]; count: number }[]> {
  const result = ranges.map(() => ({ incidents: [] as Incident[], count: 0 }));
  if (ranges.length === 0) return result;
  // One row per range, its newest ids joined by commas (ids are [a-z0-9]). Ranges come as VALUES: D1 allows only a
  // few terms in a compound SELECT, and the query builder is slower to assemble this than SQLite to run it.
  const values = sql.join(
    ranges.map(([from, to], i) => sql`(${sql.raw(String(i))}, ${from}, ${to})`),
    sql`, `,
  );
  const perRange = await db.all<{ range: number; total: number; ids: string | null }>(sql`
    with ranges ("range", "from", "to") as (values ${values})
    select "range",
      (select count(*) from "incidents" where "kind" = 'incident' and "started_at" >= "from" and "started_at" < "to")
        as "total",
      (select group_concat("id") from (select "id" from "incidents"
        where "kind" = 'incident' and "started_at" >= "from" and "started_at" < "to"
        order by "started_at" desc, "created_at" desc, "id" desc limit ${sql.raw(String(limit))})) as "ids"
    from ranges`);
  const idsOf = (r: (typeof perRange)[number]) => (r.ids ? r.ids.split(",") : []);
  const rows = await inSlices(perRange.flatMap(idsOf), (s) =>
    db.select().from(incidents).where(inArray(incidents.id, s)),
  );
  const byId = new Map(rows.map((r) => [r.id, r]));
  for (const r of perRange) {
    const newest = idsOf(r).map((id) => byId.get(id)!);
    result[r.range] = { count: r.total, incidents: newest.sort(compareNewestFirst) };
  }
  return result;
}

function compareNewestFirst(a: StartKey, b: StartKey): number {
  return b.startedAt - a.startedAt || b.createdAt - a.createdAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}
