import { readdirSync, readFileSync } from "node:fs";
import { Miniflare } from "miniflare";

/**
 * A real D1 database (workerd's, through Miniflare), with Marquee's migrations applied unless `migrate` is false.
 */
export async function startD1({ migrate = true } = {}) {
  const mf = new Miniflare({
    modules: true,
    script: "export default { fetch: () => new Response('') }",
    d1Databases: ["DB"],
  });
  const db = (await mf.getD1Database("DB")) as unknown as D1Database;
  const files = migrate ? readdirSync("db/migrations").filter((f) => f.endsWith(".sql")) : [];
  for (const file of files.sort()) {
    for (const statement of readFileSync(`db/migrations/${file}`, "utf8").split("--> statement-breakpoint")) {
      if (statement.trim()) await db.prepare(statement).run();
    }
  }
  return { mf, db, dispose: () => mf.dispose() };
}
