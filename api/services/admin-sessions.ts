import { and, eq, gt, lte } from "drizzle-orm";
import type { Db } from "@/db/client";
import { adminSessions, type ApiScope, apiKeys, appSecrets } from "@/db/schema";
import { constantTimeEqual, hmacSha256Hex, randomToken, sha256Hex } from "@/api/ids";
import { hasScope } from "./api-keys";
import { type StaffDeps, writeAudited } from "./audit";
import type { Deps } from "./deps";

/** How long a console sign-in lasts. */
export const sessionMs = 12 * 60 * 60 * 1000;

/**
 * The key that signs console sessions and their forms: random, made on first use, used for nothing else (not the
 * subscriber-link key, not derived from any API key). Kept in the database, so Workers on D1 have it too.
 */
export async function sessionKey(db: Db): Promise<string> {
  await db
    .insert(appSecrets)
    .values({ name: "admin-session-key", value: randomToken(32) })
    .onConflictDoNothing();
  const [row] = await db.select().from(appSecrets).where(eq(appSecrets.name, "admin-session-key"));
  return row!.value;
}

const sign = async (db: Db, id: string, expiresAt: number | string) =>
  hmacSha256Hex(await sessionKey(db), `admin-session:${id}.${expiresAt}`);

/**
 * A session is `<random id>.<expires at ms>.<HMAC>`. The signature turns away made-up cookies without a lookup; the
 * row (kept under the id's hash) is what makes it valid, so signing out or revoking the key ends it on the server.
 */
export async function createSession(
  deps: Deps,
  apiKey: { id: string; name: string },
): Promise<{ value: string; expiresAt: number }> {
  const now = deps.clock();
  const expiresAt = now + sessionMs;
  const id = randomToken(24);
  // The sign-in is audited (which key, when) in the batch that stores its session; the session value never is.
  const actor = { kind: "console" as const, keyId: apiKey.id, name: apiKey.name };
  await writeAudited({ ...deps, actor }, { resourceType: "console_session", resourceId: null, action: "sign_in" }, [
    deps.db.delete(adminSessions).where(lte(adminSessions.expiresAt, now)),
    deps.db
      .insert(adminSessions)
      .values({ idHash: await sha256Hex(id), apiKeyId: apiKey.id, createdAt: now, expiresAt }),
  ]);
  return { value: `${id}.${expiresAt}.${await sign(deps.db, id, expiresAt)}`, expiresAt };
}

const parse = (value: string | undefined) => {
  const match = value ? /^([0-9a-f]{48})\.(\d{1,16})\.([0-9a-f]{64})$/.exec(value) : null;
  return match ? { id: match[1]!, expiresAt: match[2]!, mac: match[3]! } : null;
};

/** The API key a session names, or null when it is forged, expired, ended, or its key is revoked or lacks `write`. */
export async function verifySession(
  deps: Deps,
  value: string | undefined,
): Promise<{ id: string; name: string; scopes: ApiScope[] } | null> {
  const session = parse(value);
  if (!session || !constantTimeEqual(await sign(deps.db, session.id, session.expiresAt), session.mac)) return null;
  const now = deps.clock();
  if (Number(session.expiresAt) <= now) return null;
  const [row] = await deps.db
    .select({ id: apiKeys.id, name: apiKeys.name, scopes: apiKeys.scopes, revokedAt: apiKeys.revokedAt })
    .from(adminSessions)
    .innerJoin(apiKeys, eq(apiKeys.id, adminSessions.apiKeyId))
    .where(and(eq(adminSessions.idHash, await sha256Hex(session.id)), gt(adminSessions.expiresAt, now)));
  return row && row.revokedAt === null && hasScope(row.scopes, "write")
    ? { id: row.id, name: row.name, scopes: row.scopes }
    : null;
}

/**
 * Signing out: the session's row goes, so the cookie opens nothing any more, wherever a copy of it is. Audited in the
 * same batch, as the sign-in is.
 */
export async function endSession(deps: StaffDeps, value: string | undefined): Promise<void> {
  const session = parse(value);
  if (!session) return;
  await writeAudited(deps, { resourceType: "console_session", resourceId: null, action: "sign_out" }, [
    deps.db.delete(adminSessions).where(eq(adminSessions.idHash, await sha256Hex(session.id))),
  ]);
}

/** The token every console form carries: bound to the session, so it cannot be lifted from another sign-in. */
export async function csrfToken(deps: Deps, session: string): Promise<string> {
  return hmacSha256Hex(await sessionKey(deps.db), `csrf:${session}`);
}

export async function verifyCsrfToken(deps: Deps, session: string, token: unknown): Promise<boolean> {
  return typeof token === "string" && constantTimeEqual(await csrfToken(deps, session), token);
}
