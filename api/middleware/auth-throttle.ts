import type { Context } from "hono";
import { errorBody } from "@/api/errors";
import { clientAddress } from "@/api/middleware/client-address";
import { recordAuthFailure, throttledFor } from "@/api/services/auth-throttle";
import type { Deps } from "@/api/services/deps";

/** Who is trying a key: the one place the throttle asks for the client's address. */
const clientOf = (c: Context) => clientAddress(c);

/** Seconds until a client that used up its failed attempts may try a key again; null when it may now. */
export const clientRetryAfter = (deps: Deps, c: Context) => throttledFor(deps, clientOf(c));

/** The API's 429 for a client that used up its failed attempts, or null when it may try a key. */
export async function throttledAnswer(deps: Deps, c: Context): Promise<Response | null> {
  const retryAfter = await clientRetryAfter(deps, c);
  if (retryAfter === null) return null;
  return c.json(
    errorBody("rate_limited", `Too many failed attempts from this address; try again in ${retryAfter} s`),
    429,
    { "retry-after": String(retryAfter) },
  );
}

export const noteAuthFailure = (deps: Deps, c: Context) => recordAuthFailure(deps, clientOf(c));
