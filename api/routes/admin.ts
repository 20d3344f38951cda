import { Hono } from "hono";
import { readJson } from "@/api/http";
import { type AuthEnv, requireScope } from "@/api/middleware/auth";
import { ApiKeyCreate, PagePatch } from "@/api/schemas";
import { createApiKey, listApiKeys, revokeApiKey, type PublicApiKey } from "@/api/services/api-keys";
import { commit } from "@/api/services/effects";
import { getPageSettings, updatePageSettings } from "@/api/services/page-settings";
import type { PageSettings } from "@/db/schema";
import type { AppDeps } from "@/api/app";

const presentKey = (k: PublicApiKey) => ({
  id: k.id,
  name: k.name,
  scopes: k.scopes,
  created_at: new Date(k.createdAt).toISOString(),
  last_used_at: k.lastUsedAt === null ? null : new Date(k.lastUsedAt).toISOString(),
  revoked_at: k.revokedAt === null ? null : new Date(k.revokedAt).toISOString(),
});

const presentSettings = (s: PageSettings, siteUrl?: string) => ({
  id: s.code,
  name: s.name,
  url: siteUrl ?? s.url,
  time_zone: s.timeZone,
  updated_at: new Date(s.updatedAt).toISOString(),
});

/** API keys and page settings: admin scope only. */
export function adminRoutes(deps: AppDeps) {
  const admin = requireScope("admin");
  return new Hono<AuthEnv>()
    .use("/api-keys", admin)
    .use("/api-keys/*", admin)
    .use("/page", admin)
    .get("/api-keys", async (c) => c.json((await listApiKeys(deps)).map(presentKey)))
    .post("/api-keys", async (c) => {
      const { key, apiKey } = await createApiKey(deps, await readJson(c, ApiKeyCreate));
      return c.json({ ...presentKey(apiKey), key }, 201);
    })
    .delete("/api-keys/:id", async (c) => c.json(presentKey(await revokeApiKey(deps, c.req.param("id")))))
    .get("/page", async (c) => c.json(presentSettings(await getPageSettings(deps), deps.siteUrl)))
    .patch("/page", async (c) => {
      const settings = await commit(deps, updatePageSettings(deps, await readJson(c, PagePatch)));
      return c.json(presentSettings(settings, deps.siteUrl));
    });
}
