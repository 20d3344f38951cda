import { Hono, type Context } from "hono";
import { AppError } from "@/api/errors";
import { validate } from "@/api/http";
import type { AdminEnv } from "@/api/middleware/admin-session";
import { ApiKeyCreate } from "@/api/schemas";
import { createApiKey, listApiKeys, revokeApiKey } from "@/api/services/api-keys";
import { commit } from "@/api/services/effects";
import type { AdminApiKeysView, FormError } from "@/present/admin-views";
import type { AppDeps } from "@/api/app";
import { staff } from "../staff";
import * as form from "../admin-forms";
import type { ConsoleKit } from "./kit";

/**
 * API keys (admin scope, as in the API). A new key's secret is on the answer to the form that made it, once: never in
 * a redirect, a URL, a log or any later page.
 */
export function apiKeyRoutes(deps: AppDeps, kit: ConsoleKit) {
  const show = async (
    c: Context<AdminEnv>,
    status: 200 | 201 | 404 | 409 | 422,
    error: FormError = null,
    created: AdminApiKeysView["created"] = null,
  ) => {
    const keys = await listApiKeys(deps);
    const view: AdminApiKeysView = {
      ...(await kit.chrome(c)),
      error,
      created,
      keys: keys.map((k) => ({
        id: k.id,
        name: k.name,
        scopes: k.scopes,
        createdAt: k.createdAt,
        lastUsedAt: k.lastUsedAt,
        revokedAt: k.revokedAt,
        current: k.id === c.get("apiKeyId"),
      })),
    };
    return kit.render(c, "/admin/api-keys", view, status);
  };

  return new Hono<AdminEnv>()
    .use("/api-keys", kit.requireAdmin)
    .use("/api-keys/*", kit.requireAdmin)
    .get("/api-keys", (c) => show(c, 200))
    .post("/api-keys", async (c) => {
      const posted = await kit.body(c);
      try {
        const input = validate(ApiKeyCreate, form.apiKeyForm(posted));
        const { key, apiKey } = await commit(deps, createApiKey(staff(c, deps), input));
        // Answered directly, not redirected: the secret must not travel through a URL or be shown again.
        return show(c, 201, null, { name: apiKey.name, key });
      } catch (error) {
        if (!(error instanceof AppError) || error.status !== 422) throw error;
        return show(c, 422, { form: "api-key", message: error.message, values: form.formValues(posted) });
      }
    })
    .post("/api-keys/:id/revoke", (c) =>
      kit.act(
        c,
        `api-key:${c.req.param("id")}`,
        () => revokeApiKey(staff(c, deps), c.req.param("id")),
        "/admin/api-keys?flash=key-revoked",
        show,
      ),
    );
}
