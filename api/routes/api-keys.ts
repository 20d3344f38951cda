import { Hono } from "hono";
import { readJson } from "@/api/http";
import { type AuthEnv, requireScope } from "@/api/middleware/auth";
import { ApiKeyCreate } from "@/api/schemas";
import { createApiKey, listApiKeys, revokeApiKey, type PublicApiKey } from "@/api/services/api-keys";
import { commit } from "@/api/services/effects";
import type { AppDeps } from "@/api/app";
import { staff } from "./staff";

const presentKey = (k: PublicApiKey) => ({
  id: k.id,
  name: k.name,
  scopes: k.scopes,
  created_at: new Date(k.createdAt).toISOString(),
  last_used_at: k.lastUsedAt === null ? null : new Date(k.lastUsedAt).toISOString(),
  revoked_at: k.revokedAt === null ? null : new Date(k.revokedAt).toISOString(),
});

/** API keys: admin scope only. The full key appears once, in the answer that creates it. */
export function apiKeyRoutes(deps: AppDeps) {
  const admin = requireScope("admin");
  return new Hono<AuthEnv>()
    .use("/api-keys", admin)
    .use("/api-keys/*", admin)
    .get("/api-keys", async (c) => c.json((await listApiKeys(deps)).map(presentKey)))
    .post("/api-keys", async (c) => {
      const { key, apiKey } = await commit(deps, createApiKey(staff(c, deps), await readJson(c, ApiKeyCreate)));
      c.set("answerHasSecret", true);
      return c.json({ ...presentKey(apiKey), key }, 201);
    })
    .delete("/api-keys/:id", async (c) =>
      c.json(presentKey(await commit(deps, revokeApiKey(staff(c, deps), c.req.param("id"))))),
    );
}
