import { parseConfig } from "@/api/config";
import { restoreBackup } from "./restore";

// `npm run restore -- FILE`: puts a checked backup in place of the database in DATA_DIR, with the server stopped.
process.umask(0o077);
const file = process.argv.slice(2).find((a) => !a.startsWith("--"));
try {
  if (!file) throw new Error("Usage: npm run restore -- FILE");
  const config = parseConfig(process.env);
  const { replaced } = await restoreBackup(file, config.dataDir);
  console.log(
    `Restored ${file} into ${config.dataDir}.` +
      (replaced ? ` The database it replaced is kept as ${replaced}.` : "") +
      " The next start publishes the page from the restored data.",
  );
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
