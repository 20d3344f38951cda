// Builds the page renderer and the server bundle unless dist/ is newer than every source it is built from,
// so `npm start` is quick after the first time and always serves what the sources say.
import { execSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const outputs = [
  "dist/server/entry.mjs",
  "dist/node/server.mjs",
  "dist/node/key.mjs",
  "dist/node/backup.mjs",
  "dist/node/restore.mjs",
  "dist/renderer-version.json",
];
const sources = ["site", "api", "db", "astro.config.mjs", "package-lock.json"];

function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((name) => newest(join(path, name))));
}

// `--if-missing`: the fast test loop takes the last build as it is (run `npm run build` after changing site/).
const ifMissing = process.argv.includes("--if-missing");
const built = Math.min(...outputs.map((f) => (existsSync(f) ? statSync(f).mtimeMs : 0)));
const stale = ifMissing ? built === 0 : built < Math.max(...sources.map(newest));
if (stale) execSync("npm run build", { stdio: "inherit" });
