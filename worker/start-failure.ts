import { errorBody } from "@/api/errors";
import { MissingSetting } from "./env";

/**
 * The answer while the worker cannot start. What is missing (a secret's name, a binding, a migration) goes to the
 * operator's log (`wrangler tail`); the public only learns that the page is not configured.
 */
export function startFailure(error: unknown, log: (line: string) => void = console.error): Response {
  log(`Marquee cannot start: ${error instanceof Error ? error.message : String(error)}`);
  const missing = error instanceof MissingSetting;
  const message = missing ? "Marquee is not configured yet" : "Marquee cannot start";
  return Response.json(errorBody(missing ? "unavailable" : "internal_error", message), { status: 503 });
}
