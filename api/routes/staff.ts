import type { Context } from "hono";
import type { AdminEnv } from "@/api/middleware/admin-session";
import type { AuthEnv } from "@/api/middleware/auth";
import type { StaffDeps } from "@/api/services/audit";
import type { Deps } from "@/api/services/deps";

/**
 * The deps of one staff write: the app's, with the actor the auth middleware found (API key or console session).
 * Staff write verbs require it in their types, so no route can call one without saying who acts.
 */
export const staff = <D extends Deps>(c: Context<AuthEnv> | Context<AdminEnv>, deps: D): D & StaffDeps => ({
  ...deps,
  actor: (c as Context<AuthEnv>).get("actor"),
});
