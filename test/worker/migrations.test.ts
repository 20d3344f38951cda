import { afterEach, describe, expect, it } from "vitest";
import { expectedMigrations, missingMigrations } from "@/worker/migrations";
import { startD1 } from "./d1";

const dbs: Awaited<ReturnType<typeof startD1>>[] = [];
afterEach(async () => {
  for (const d1 of dbs.splice(0)) await d1.dispose();
});

/** A database as `wrangler d1 migrations apply` leaves it: the tables, and the files it applied. */
async function migratedBy(applied: string[]) {
  const d1 = await startD1();
  dbs.push(d1);
  await d1.db.prepare("CREATE TABLE d1_migrations (id INTEGER PRIMARY KEY, name TEXT, applied_at TEXT)").run();
  for (const name of applied) await d1.db.prepare("INSERT INTO d1_migrations (name) VALUES (?1)").bind(name).run();
  return d1.db;
}

describe("the worker's migration check", () => {
  it("names the migrations a deploy skipped", async () => {
    expect(expectedMigrations.at(-1)).toBe("0005_history_order.sql");
    const db = await migratedBy(expectedMigrations.slice(0, -1));
    expect(await missingMigrations(db)).toEqual(["0005_history_order.sql"]);
  });

  it("names them all on a database never migrated", async () => {
    const empty = await startD1({ migrate: false });
    dbs.push(empty);
    expect(await missingMigrations(empty.db)).toEqual(expectedMigrations);
  });

  it("passes a database with every migration applied, or migrated by other means", async () => {
    expect(await missingMigrations(await migratedBy(expectedMigrations))).toEqual([]);
    const other = await startD1();
    dbs.push(other);
    expect(await missingMigrations(other.db)).toEqual([]);
  });
});
