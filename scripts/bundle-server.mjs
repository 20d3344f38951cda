// Bundles the Node entry points into dist/node, so `npm start` runs plain JavaScript: no TypeScript loader in the
// server process, which starts faster and uses less memory. Dependencies stay in node_modules.
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";

await build({
  entryPoints: {
    server: "api/node.ts",
    export: "api/export.ts",
    key: "api/key-command.ts",
    backup: "api/backup/cli.ts",
    restore: "api/backup/restore-cli.ts",
    "worker-backup": "api/backup/worker-cli.ts",
  },
  outdir: "dist/node",
  outExtension: { ".js": ".mjs" },
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  packages: "external",
  sourcemap: "linked",
  logLevel: "warning",
});

// A digest of the page renderer build: a published set rendered by another build is rendered again at start
// (Node and Workers both read this file).
const hash = createHash("sha256");
for (const file of readdirSync("dist/server", { recursive: true, encoding: "utf8" }).sort()) {
  const path = join("dist/server", file);
  if (statSync(path).isFile()) hash.update(file).update(readFileSync(path));
}
writeFileSync("dist/renderer-version.json", JSON.stringify({ version: hash.digest("hex").slice(0, 16) }) + "\n");
