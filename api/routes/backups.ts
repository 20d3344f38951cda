import { Hono } from "hono";
import type { AuthEnv } from "@/api/middleware/auth";
import { listBackups } from "@/api/services/backups";
import { presentBackup } from "@/present/backups";
import type { AppDeps } from "@/api/app";

/** The backups Marquee took of its database, newest first, with what checking each one found (read scope). */
export function backupRoutes(deps: AppDeps) {
  return new Hono<AuthEnv>().get("/backups", async (c) => c.json((await listBackups(deps)).map(presentBackup)));
}
