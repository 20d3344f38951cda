import { existsSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { openNodeDb } from "@/db/node";
import { apiScopes } from "@/db/vocabulary";
import { parseConfig } from "./config";
import { ApiKeyCreate } from "./schemas";
import { createApiKey, listApiKeys, revokeApiKey } from "./services/api-keys";
import { systemActor } from "./services/audit";

// `npm run key -- create NAME [--scope admin|write|read|alerts]`, `npm run key -- list`, `npm run key -- revoke ID`: API keys
// from the shell, on the database in DATA_DIR, for an operator who lost the key printed at first start. Safe while
// the server runs (SQLite in WAL mode); the new key works at once.
const usage = `Usage: npm run key -- create NAME [--scope ${apiScopes.join("|")}]   (default scope: admin)
       npm run key -- list
       npm run key -- revoke ID`;

process.umask(0o077);
const parse = () =>
  parseArgs({ args: process.argv.slice(2), allowPositionals: true, options: { scope: { type: "string" } } });
let args: ReturnType<typeof parse>;
try {
  args = parse();
} catch (error) {
  console.error(`${(error as Error).message}\n${usage}`);
  process.exit(2);
}
const [command, arg, ...extra] = args.positionals;
if (!["create", "list", "revoke"].includes(command ?? "") || extra.length > 0 || (command !== "list" && !arg)) {
  console.error(usage);
  process.exit(2);
}
try {
  const config = parseConfig(process.env);
  const file = join(config.dataDir, "marquee.db");
  if (!existsSync(file)) throw new Error(`There is no database at ${file}: start Marquee once, or set DATA_DIR`);
  const { db, close } = openNodeDb(file);
  // The audit log names the shell as the one who made or revoked the key. A key changes no page and queues no
  // email, so the writes have no effects to apply here.
  const deps = { db, clock: Date.now, actor: systemActor("npm run key") };
  try {
    if (command === "create") {
      const input = ApiKeyCreate.safeParse({ name: arg, scopes: [args.values.scope ?? "admin"] });
      if (!input.success) throw new Error(`--scope must be one of ${apiScopes.join(", ")}, and NAME 1–255 characters`);
      const { key, apiKey } = (await createApiKey(deps, input.data)).value;
      console.log(
        `Created the ${apiKey.scopes.join(", ")} key "${apiKey.name}" (id ${apiKey.id}), shown once:\n\n  ${key}\n`,
      );
    } else if (command === "list") {
      for (const k of await listApiKeys(deps)) {
        const state = k.revokedAt ? `revoked ${new Date(k.revokedAt).toISOString()}` : "active";
        console.log(`${k.id}  ${k.scopes.join(",").padEnd(16)} ${state.padEnd(32)} ${k.name}`);
      }
    } else {
      const revoked = (await revokeApiKey(deps, arg!)).value;
      console.log(`Revoked the key "${revoked.name}" (id ${revoked.id}); its console sessions are ended`);
    }
  } finally {
    close();
  }
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
