import { eq } from "drizzle-orm";
import { apiKeys } from "@/db/schema";
import { constantTimeEqual } from "@/api/ids";
import { hasScope } from "./api-keys";
import type { Deps } from "./deps";
import { linkKey } from "./subscriber-links";

/** How long a console sign-in lasts. */
export const sessionMs = 12 * 60 * 60 * 1000;

async function hmac(key: string, message: string): Promise<string> {
  const cryptoKey = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(key),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const signature = await crypto.subtle.sign("HMAC", cryptoKey, new TextEncoder().encode(message));
  return Array.from(new Uint8Array(signature), (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * A session is `<api key id>.<expires at ms>.<HMAC>`, signed with the per-install link key: nothing is stored, and
 * the key row is read again on every request, so revoking the key ends its sessions.
 */
export async function createSession(deps: Deps, apiKeyId: string): Promise<{ value: string; expiresAt: number }> {
  const expiresAt = deps.clock() + sessionMs;
  const payload = `${apiKeyId}.${expiresAt}`;
  return { value: `${payload}.${await hmac(await linkKey(deps.db), `admin-session:${payload}`)}`, expiresAt };
}

/** The API key id a session names, or null when it is forged, expired, or its key is revoked or lacks `write`. */
export async function verifySession(deps: Deps, value: string | undefined): Promise<string | null> {
  const match = value ? /^([a-z0-9]{1,64})\.(\d{1,16})\.([0-9a-f]{64})$/.exec(value) : null;
  if (!match) return null;
  const [, id, expiresAt, mac] = match as unknown as [string, string, string, string];
  const expected = await hmac(await linkKey(deps.db), `admin-session:${id}.${expiresAt}`);
  if (!constantTimeEqual(expected, mac) || Number(expiresAt) <= deps.clock()) return null;
  const [row] = await deps.db.select().from(apiKeys).where(eq(apiKeys.id, id));
  return row && row.revokedAt === null && hasScope(row.scopes, "write") ? id : null;
}

/** The token every console form carries: bound to the session, so it cannot be lifted from another sign-in. */
export async function csrfToken(deps: Deps, session: string): Promise<string> {
  return hmac(await linkKey(deps.db), `csrf:${session}`);
}

export async function verifyCsrfToken(deps: Deps, session: string, token: unknown): Promise<boolean> {
  return typeof token === "string" && constantTimeEqual(await csrfToken(deps, session), token);
}
