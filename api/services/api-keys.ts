import { and, asc, eq, isNull, lt, or } from "drizzle-orm";
import { adminSessions, type ApiKey, type ApiScope, apiKeys } from "@/db/schema";
import { AppError, notFound } from "@/api/errors";
import { constantTimeEqual, newId, randomToken, sha256Hex } from "@/api/ids";
import type { ApiKeyCreate } from "@/api/schemas";
import { fieldNames, type StaffDeps, systemActor, writeAudited } from "./audit";
import type { Deps } from "./deps";
import { type Written, written } from "./effects";

/** Keys look like `mq_<id>_<secret>`: the id finds the row, the secret's hash is compared in constant time. */
const keyPattern = /^mq_([a-z0-9]{12})_([A-Za-z0-9_-]{16,128})$/;

export type PublicApiKey = Omit<ApiKey, "secretHash">;
const toPublic = ({ secretHash: _h, ...rest }: ApiKey): PublicApiKey => rest;

/** Creates a key and returns it in full: the only time the secret is ever shown. */
export async function createApiKey(
  deps: StaffDeps,
  input: ApiKeyCreate,
  secret = randomToken(24),
): Promise<Written<{ key: string; apiKey: PublicApiKey }>> {
  const id = newId();
  const row: ApiKey = {
    id,
    name: input.name,
    secretHash: await sha256Hex(secret),
    scopes: [...new Set(input.scopes)],
    createdAt: deps.clock(),
    lastUsedAt: null,
    revokedAt: null,
  };
  await writeAudited(
    deps,
    {
      resourceType: "api_key",
      resourceId: id,
      action: "create",
      fields: fieldNames(input),
    },
    [deps.db.insert(apiKeys).values(row)],
  );
  return written({ key: `mq_${id}_${secret}`, apiKey: toPublic(row) }, {});
}

const configuredId = "configured";

/**
 * An operator-chosen key (ADMIN_API_KEY) may have any form, so it is stored under a fixed id and found by that id.
 * Re-running with the same value is a no-op; a new value replaces the old secret and ends the old one's sessions.
 */
export async function ensureConfiguredAdminKey(deps: Deps, key: string): Promise<void> {
  const secretHash = await sha256Hex(key);
  const [row] = await deps.db.select().from(apiKeys).where(eq(apiKeys.id, configuredId));
  if (row && row.secretHash !== secretHash) {
    await deps.db.delete(adminSessions).where(eq(adminSessions.apiKeyId, configuredId));
  }
  await deps.db
    .insert(apiKeys)
    .values({ id: configuredId, name: "ADMIN_API_KEY", secretHash, scopes: ["admin"], createdAt: deps.clock() })
    .onConflictDoUpdate({ target: apiKeys.id, set: { secretHash, revokedAt: null } });
}

/**
 * ADMIN_API_KEY was removed from the environment: the key it made stops working (revoked, as staff would revoke
 * it), instead of living on in the database unseen. Setting the variable again brings it back.
 */
export async function retireConfiguredAdminKey(deps: Deps): Promise<boolean> {
  const [row] = await deps.db.select().from(apiKeys).where(eq(apiKeys.id, configuredId));
  if (!row || row.revokedAt !== null) return false;
  await revokeApiKey({ ...deps, actor: systemActor("ADMIN_API_KEY removed") }, configuredId);
  return true;
}

export async function listApiKeys({ db }: Deps): Promise<PublicApiKey[]> {
  return (await db.select().from(apiKeys).orderBy(asc(apiKeys.createdAt))).map(toPublic);
}

export async function revokeApiKey(deps: StaffDeps, id: string): Promise<Written<PublicApiKey>> {
  const [row] = await deps.db.select().from(apiKeys).where(eq(apiKeys.id, id));
  if (!row) throw notFound("API key", id);
  const revoked = { ...row, revokedAt: row.revokedAt ?? deps.clock() };
  await writeAudited(
    deps,
    {
      resourceType: "api_key",
      resourceId: id,
      action: "revoke",
      fields: ["revoked_at"],
    },
    [
      deps.db.update(apiKeys).set({ revokedAt: revoked.revokedAt }).where(eq(apiKeys.id, id)),
      // Its console sessions end too (verifySession would refuse them anyway; this leaves no live row behind).
      deps.db.delete(adminSessions).where(eq(adminSessions.apiKeyId, id)),
    ],
  );
  return written(toPublic(revoked), {});
}

/**
 * `read` < `write` < `admin`, each granting what the ones before grant. `alerts` is no rank: it grants posting alerts
 * and nothing else (not even reads), and `write` and `admin` grant it too.
 */
const scopeRank: Record<Exclude<ApiScope, "alerts">, number> = { read: 0, write: 1, admin: 2 };
export const hasScope = (scopes: readonly ApiScope[], needed: ApiScope) =>
  scopes.some((s) =>
    needed === "alerts"
      ? s === "alerts" || s === "write" || s === "admin"
      : s !== "alerts" && scopeRank[s] >= scopeRank[needed],
  );

/** Finds the key a bearer token names, or throws 401. Marks its last use at most once a minute. */
export async function authenticate(deps: Deps, token: string | undefined): Promise<PublicApiKey> {
  if (!token) throw new AppError("unauthorized", "Missing API key: send Authorization: Bearer <key>");
  const match = keyPattern.exec(token);
  const [id, secret] = match ? [match[1]!, match[2]!] : ["configured", token];
  const [row] = await deps.db.select().from(apiKeys).where(eq(apiKeys.id, id));
  const hash = await sha256Hex(secret);
  // Compare even when no row was found, so that timing does not tell which ids exist.
  const valid =
    constantTimeEqual(hash, row?.secretHash ?? "0".repeat(64)) && row !== undefined && row.revokedAt === null;
  if (!valid) throw new AppError("unauthorized", "Invalid or revoked API key");
  const now = deps.clock();
  if (row.lastUsedAt === null || now - row.lastUsedAt > 60_000) {
    await deps.db
      .update(apiKeys)
      .set({ lastUsedAt: now })
      .where(and(eq(apiKeys.id, id), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, now - 60_000))));
  }
  return toPublic(row);
}
