import { eq } from "drizzle-orm";
import { apiKeys } from "@/db/schema";
import { constantTimeEqual, hmacSha256Hex } from "@/api/ids";
import { hasScope } from "./api-keys";
import type { Deps } from "./deps";
import { linkKey } from "./subscriber-links";

/** How long a console sign-in lasts. */
export const sessionMs = 12 * 60 * 60 * 1000;

/**
 * A session is `<api key id>.<expires at ms>.<HMAC>`, signed with the per-install link key: nothing is stored, and
 * the key row is read again on every request, so revoking the key ends its sessions.
 */
export async function createSession(deps: Deps, apiKeyId: string): Promise<{ value: string; expiresAt: number }> {
  const expiresAt = deps.clock() + sessionMs;
  const payload = `${apiKeyId}.${expiresAt}`;
  return { value: `${payload}.${await hmacSha256Hex(await linkKey(deps.db), `admin-session:${payload}`)}`, expiresAt };
}

/** The API key id a session names, or null when it is forged, expired, or its key is revoked or lacks `write`. */
export async function verifySession(deps: Deps, value: string | undefined): Promise<string | null> {
  const match = value ? /^([a-z0-9]{1,64})\.(\d{1,16})\.([0-9a-f]{64})$/.exec(value) : null;
  if (!match) return null;
  const [, id, expiresAt, mac] = match as unknown as [string, string, string, string];
  const expected = await hmacSha256Hex(await linkKey(deps.db), `admin-session:${id}.${expiresAt}`);
  if (!constantTimeEqual(expected, mac) || Number(expiresAt) <= deps.clock()) return null;
  const [row] = await deps.db.select().from(apiKeys).where(eq(apiKeys.id, id));
  return row && row.revokedAt === null && hasScope(row.scopes, "write") ? id : null;
}

/** The token every console form carries: bound to the session, so it cannot be lifted from another sign-in. */
export async function csrfToken(deps: Deps, session: string): Promise<string> {
  return hmacSha256Hex(await linkKey(deps.db), `csrf:${session}`);
}

export async function verifyCsrfToken(deps: Deps, session: string, token: unknown): Promise<boolean> {
  return typeof token === "string" && constantTimeEqual(await csrfToken(deps, session), token);
}
