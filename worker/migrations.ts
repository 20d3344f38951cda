import journal from "@/db/migrations/meta/_journal.json";

/** The migration files this build expects, as `wrangler d1 migrations apply` records them in `d1_migrations`. */
export const expectedMigrations = journal.entries.map((entry) => `${entry.tag}.sql`);

/**
 * The migrations the database lacks, so a deploy that skipped `wrangler d1 migrations apply` is told which, instead
 * of failing later on a missing column. A database migrated by other means (no `d1_migrations` table, but Marquee's
 * tables) cannot be checked and passes.
 */
export async function missingMigrations(db: D1Database): Promise<string[]> {
  const tables = await db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('d1_migrations', 'page_settings')")
    .all<{ name: string }>();
  const names = new Set(tables.results.map((t) => t.name));
  if (!names.has("d1_migrations")) return names.has("page_settings") ? [] : expectedMigrations;
  const applied = await db.prepare("SELECT name FROM d1_migrations").all<{ name: string }>();
  const done = new Set(applied.results.map((m) => m.name));
  return expectedMigrations.filter((name) => !done.has(name));
}
