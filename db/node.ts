import Database from "better-sqlite3";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Db } from "./client";
import * as schema from "./schema";

// Next to this file when run from source; two levels up from dist/node when run from the bundle.
const here = dirname(fileURLToPath(import.meta.url));
export const migrationsFolder = [join(here, "migrations"), join(here, "../../db/migrations")].find((d) =>
  existsSync(d),
)!;

/**
 * A connection for one pass over a whole database (a backup's copy and checks): 2 MB of page cache instead of
 * better-sqlite3's 16 MB, which an integrity check of a large history fills while the server keeps its own cache.
 */
export function openForOnePass(file: string, options: Database.Options = {}): Database.Database {
  const sqlite = new Database(file, options);
  sqlite.pragma("cache_size = -2048");
  return sqlite;
}

/** Opens (or creates) the SQLite file, in WAL mode with foreign keys on, and applies the migrations. */
export function openNodeDb(file: string): { db: Db; close: () => void } {
  if (file !== ":memory:") {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    // Created 0600 before SQLite opens it: SQLite gives the -wal and -shm files the database file's mode.
    closeSync(openSync(file, "a", 0o600));
  }
  const sqlite = new Database(file);
  sqlite.pragma("journal_mode = WAL");
  sqlite.pragma("synchronous = NORMAL");
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 5000");
  // better-sqlite3 builds SQLite with a 16 MB page cache, filled by one large write (an import of 50,000 rows) and never
  // given back: 4 MB, with the operating system's file cache behind it, keeps the server's peak memory lower for the
  // same work (docs/BENCHMARKS.md).
  sqlite.pragma("cache_size = -4096");
  keepPreparedStatements(sqlite, 256);
  const db = drizzle(sqlite, { schema });
  migrate(db, { migrationsFolder });
  return { db: db as unknown as Db, close: () => sqlite.close() };
}

/**
 * Drizzle asks SQLite to compile every query it runs, and a publish runs about ninety: compiling took a third of
 * their time. Statements are kept by their SQL, the most recently used `limit` of them (queries with `in (?, …)`
 * lists of every length make many texts). A kept statement is handed out again only when it is not being iterated,
 * and back in row mode (Drizzle switches a statement to raw mode for some reads, and better-sqlite3 keeps that).
 */
export function keepPreparedStatements(sqlite: Database.Database, limit: number): void {
  const prepare = sqlite.prepare.bind(sqlite);
  const kept = new Map<string, Database.Statement>();
  sqlite.prepare = ((source: string) => {
    const statement = kept.get(source);
    if (statement && !statement.busy) {
      kept.delete(source);
      kept.set(source, statement);
      return statement.reader ? statement.raw(false).pluck(false).expand(false) : statement;
    }
    const fresh = prepare(source);
    if (!statement) {
      kept.set(source, fresh);
      if (kept.size > limit) kept.delete(kept.keys().next().value!);
    }
    return fresh;
  }) as typeof sqlite.prepare;
}
