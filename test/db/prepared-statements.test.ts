import Database from "better-sqlite3";
import { describe, expect, test } from "vitest";
import { keepPreparedStatements } from "@/db/node";

function database(limit = 8) {
  const sqlite = new Database(":memory:");
  sqlite.exec("create table t (a integer, b text); insert into t values (1, 'x'), (2, 'y'), (3, 'z')");
  keepPreparedStatements(sqlite, limit);
  return sqlite;
}

describe("kept prepared statements", () => {
  test("the same SQL gets the same compiled statement, back in row mode after a raw or plucked read", () => {
    const sqlite = database();
    const first = sqlite.prepare("select a, b from t order by a");
    expect(first.raw().all()).toEqual([
      [1, "x"],
      [2, "y"],
      [3, "z"],
    ]);
    const again = sqlite.prepare("select a, b from t order by a");
    expect(again).toBe(first);
    expect(again.all()).toEqual([
      { a: 1, b: "x" },
      { a: 2, b: "y" },
      { a: 3, b: "z" },
    ]);
    expect(sqlite.prepare("select a, b from t order by a").pluck().all()).toEqual([1, 2, 3]);
    expect(sqlite.prepare("select a, b from t order by a").get()).toEqual({ a: 1, b: "x" });
    // Writes are kept too, and run again with new values.
    const insert = sqlite.prepare("insert into t values (?, ?)");
    insert.run(4, "w");
    expect(sqlite.prepare("insert into t values (?, ?)")).toBe(insert);
    sqlite.prepare("insert into t values (?, ?)").run(5, "v");
    expect(sqlite.prepare("select count(*) as n from t").get()).toEqual({ n: 5 });
  });

  test("a statement still being iterated is not handed out: the second reader gets its own", () => {
    const sqlite = database();
    const outer = sqlite.prepare("select a from t order by a");
    const seen: [number, number[]][] = [];
    for (const row of outer.iterate() as Iterable<{ a: number }>) {
      const inner = sqlite.prepare("select a from t order by a");
      expect(inner).not.toBe(outer);
      seen.push([row.a, (inner.all() as { a: number }[]).map((r) => r.a)]);
    }
    expect(seen).toEqual([
      [1, [1, 2, 3]],
      [2, [1, 2, 3]],
      [3, [1, 2, 3]],
    ]);
    // Once the iteration is over, the kept one is handed out again.
    expect(sqlite.prepare("select a from t order by a")).toBe(outer);
  });

  test("keeps only the most recently used statements", () => {
    const sqlite = database(2);
    const one = sqlite.prepare("select 1");
    const two = sqlite.prepare("select 2");
    expect(sqlite.prepare("select 1")).toBe(one); // now the most recent
    sqlite.prepare("select 3"); // pushes out "select 2", the least recently used
    expect(sqlite.prepare("select 1")).toBe(one);
    expect(sqlite.prepare("select 2")).not.toBe(two);
  });
});
