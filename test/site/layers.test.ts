import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

// ESLint checks the layers of the TypeScript files; Astro components are checked here, by their import lines.
function astroFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? astroFiles(join(dir, e.name)) : e.name.endsWith(".astro") ? [join(dir, e.name)] : [],
  );
}

describe("the site's components", () => {
  it("import present/, the vocabulary and types only: never services, routes or the database", () => {
    const offending = astroFiles("site").flatMap((file) =>
      readFileSync(file, "utf8")
        .split("\n")
        .filter((line) => /^\s*import\s(?!type\b)/.test(line))
        .filter((line) => /from "(@\/api\/|@\/db\/(?!vocabulary")|drizzle-orm)/.test(line))
        .map((line) => `${file}: ${line.trim()}`),
    );
    expect(offending).toEqual([]);
  });
});
