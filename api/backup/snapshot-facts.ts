import type Database from "better-sqlite3";
import { drizzle } from "drizzle-orm/better-sqlite3";
import type { Db } from "@/db/client";
import * as schema from "@/db/schema";
import { loadSnapshot } from "@/api/publish/snapshot";
import { statuspageDocuments } from "@/present/statuspage";

/** Rows in every table of the database the connection reads, by table name. */
export function countRows(sqlite: Database.Database): Record<string, number> {
  const tables = sqlite
    .prepare("select name from sqlite_master where type = 'table' and name not like 'sqlite_%' order by name")
    .pluck()
    .all() as string[];
  return Object.fromEntries(
    tables.map((t) => [
      t,
      sqlite
        .prepare(`select count(*) from "${t.replaceAll('"', '""')}"`)
        .pluck()
        .get() as number,
    ]),
  );
}

/** The Statuspage summary.json the publisher would build from this database at `now`, as its JSON text. */
export async function buildSummary(sqlite: Database.Database, now: number, siteUrl?: string): Promise<string> {
  const db = drizzle(sqlite, { schema }) as unknown as Db;
  const documents = statuspageDocuments(await loadSnapshot(db, now, siteUrl));
  return JSON.stringify(documents["/api/v2/summary.json"]);
}

/** The first difference between two sets of row counts, said for a person; null when they agree. */
export function countsDiffer(copy: Record<string, number>, live: Record<string, number>): string | null {
  for (const table of new Set([...Object.keys(copy), ...Object.keys(live)])) {
    if (copy[table] !== live[table])
      return `row counts differ: ${table} has ${copy[table] ?? "no table"} in the copy, ${live[table] ?? "no table"} in the live database`;
  }
  return null;
}
