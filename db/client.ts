import type { BatchItem } from "drizzle-orm/batch";
import type { BaseSQLiteDatabase } from "drizzle-orm/sqlite-core";
import type * as schema from "./schema";

/** The database as services see it: Drizzle over better-sqlite3 (Node) or D1 (Workers). */
export type Db = BaseSQLiteDatabase<"sync" | "async", unknown, typeof schema>;
export type Statement = BatchItem<"sqlite">;

/**
 * Runs statements atomically. D1 has no interactive transactions, so every multi-row write is built as a list of
 * statements first: one `batch` on D1, one synchronous transaction on better-sqlite3.
 */
export async function runAtomically(db: Db, statements: Statement[]): Promise<void> {
  if (statements.length === 0) return;
  const withBatch = db as unknown as { batch?: (s: Statement[]) => Promise<unknown> };
  if (typeof withBatch.batch === "function") {
    await withBatch.batch(statements);
    return;
  }
  (db as unknown as { transaction(fn: () => void): void }).transaction(() => {
    for (const statement of statements) (statement as unknown as { run(): unknown }).run();
  });
}
