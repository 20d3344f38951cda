import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";

// npm's own range logic (semver, installed with the tools; not a dependency of Marquee's code).
const semver = createRequire(import.meta.url)("semver") as {
  satisfies(version: string, range: string): boolean;
  validRange(range: string): string | null;
  minVersion(range: string): { major: number } | null;
};
const pkg = JSON.parse(readFileSync("package.json", "utf8")) as { engines: { node: string } };
type Manifest = { name: string; version: string; engines?: { node?: string } };

/** Every installed package, with where it sits in node_modules. */
function installed(dir = "node_modules", found: { path: string; manifest: Manifest }[] = []) {
  for (const name of readdirSync(dir)) {
    if (name.startsWith(".")) continue;
    if (name.startsWith("@")) {
      installed(join(dir, name), found);
      continue;
    }
    const path = join(dir, name);
    try {
      found.push({ path, manifest: JSON.parse(readFileSync(join(path, "package.json"), "utf8")) });
    } catch {
      continue;
    }
    try {
      installed(join(path, "node_modules"), found);
    } catch {
      // no nested node_modules
    }
  }
  return found;
}

describe("the Node versions Marquee claims", () => {
  it("admit the Node the tests run on, and the current LTS lines 22 and 24", () => {
    expect(semver.satisfies(process.version, pkg.engines.node)).toBe(true);
    for (const v of ["20.19.0", "22.13.0", "24.0.0"]) expect(semver.satisfies(v, pkg.engines.node), v).toBe(true);
    expect(semver.satisfies("20.3.0", pkg.engines.node)).toBe(false);
  });

  it("are the ones the README states", () => {
    const readme = readFileSync("README.md", "utf8");
    expect(readme).toContain("Node 20.19 or later on the 20 line, 22.13 or later, or 24 and later");
    expect(pkg.engines.node).toBe("^20.19.0 || ^22.13.0 || >=24");
  });

  it("fit every installed package on those versions, so npm install warns of no engine", () => {
    const lowest = ["20.19.0", "22.13.0", "24.0.0"];
    const misfits = installed()
      .filter(({ manifest }) => manifest.engines?.node && semver.validRange(manifest.engines.node))
      .filter(({ manifest }) => lowest.some((v) => !semver.satisfies(v, manifest.engines!.node!)))
      .map(({ path, manifest }) => `${path}@${manifest.version}`);
    expect(misfits).toEqual([]);
  });

  it("give astro's web-font helper undici 7, whose only use there (a proxy agent) undici 7 has", () => {
    // unifont declares undici 8 (Node 22.19+) and imports Agent, EnvHttpProxyAgent and the global-dispatcher pair
    // from it, only to download web fonts through a proxy; Marquee configures no web fonts.
    const overrides = (pkg as { overrides?: Record<string, Record<string, string>> }).overrides;
    expect(overrides?.unifont?.undici).toMatch(/^7\./);
    const unifont = readFileSync("node_modules/unifont/dist/index.mjs", "utf8");
    expect(unifont.match(/await import\("undici"\)/g)).toHaveLength(1);
    const names = /const \{ ([\w, ]+) \} = await import\("undici"\)/.exec(unifont)![1]!.split(", ");
    expect(names).toEqual(["Agent", "EnvHttpProxyAgent", "getGlobalDispatcher", "setGlobalDispatcher"]);
    // The undici unifont resolves is a 7.x that has them all.
    const fromUnifont = createRequire(join(process.cwd(), "node_modules/unifont/package.json"));
    const undiciDir = dirname(fromUnifont.resolve("undici"));
    expect(JSON.parse(readFileSync(join(undiciDir, "package.json"), "utf8")).version).toMatch(/^7\./);
    const undici = fromUnifont("undici") as Record<string, unknown>;
    for (const name of names) expect(typeof undici[name], name).toBe("function");
    expect(readFileSync("astro.config.mjs", "utf8")).not.toMatch(/fonts\s*:/);
  });
});
