import { eq } from "drizzle-orm";
import { apiKeys } from "@/db/schema";
import { constantTimeEqual, hmacSha256Hex } from "@/api/ids";
import { hasScope } from "./api-keys";
import { writeAudited } from "./audit";
import type { Deps } from "./deps";
import { linkKey } from "./subscriber-links";

/** How long a console sign-in lasts. */
export const sessionMs = 12 * 60 * 60 * 1000;

/**
 * A session is `<api key id>.<expires at ms>.<HMAC>`, signed with the per-install link key: nothing is stored, and
 * the key row is read again on every request, so revoking the key ends its sessions.
 */
export async function createSession(
  deps: Deps,
  apiKey: { id: string; name: string },
): Promise<{ value: string; expiresAt: number }> {
  const expiresAt = deps.clock() + sessionMs;
  const payload = `${apiKey.id}.${expiresAt}`;
  const value = `${payload}.${await hmacSha256Hex(await linkKey(deps.db), `admin-session:${payload}`)}`;
  // The sign-in is audited (which key, when); the session value never is.
  const actor = { kind: "console" as const, keyId: apiKey.id, name: apiKey.name };
  await writeAudited({ ...deps, actor }, { resourceType: "console_session", resourceId: null, action: "sign_in" }, []);
  return { value, expiresAt };
}

/** The API key a session names, or null when it is forged, expired, or its key is revoked or lacks `write`. */
export async function verifySession(
  deps: Deps,
  value: string | undefined,
): Promise<{ id: string; name: string } | null> {
  const match = value ? /^([a-z0-9]{1,64})\.(\d{1,16})\.([0-9a-f]{64})$/.exec(value) : null;
  if (!match) return null;
  const [, id, expiresAt, mac] = match as unknown as [string, string, string, string];
  const expected = await hmacSha256Hex(await linkKey(deps.db), `admin-session:${id}.${expiresAt}`);
  if (!constantTimeEqual(expected, mac) || Number(expiresAt) <= deps.clock()) return null;
  const [row] = await deps.db.select().from(apiKeys).where(eq(apiKeys.id, id));
  return row && row.revokedAt === null && hasScope(row.scopes, "write") ? { id, name: row.name } : null;
}

/** The token every console form carries: bound to the session, so it cannot be lifted from another sign-in. */
export async function csrfToken(deps: Deps, session: string): Promise<string> {
  return hmacSha256Hex(await linkKey(deps.db), `csrf:${session}`);
}

export async function verifyCsrfToken(deps: Deps, session: string, token: unknown): Promise<boolean> {
  return typeof token === "string" && constantTimeEqual(await csrfToken(deps, session), token);
}
