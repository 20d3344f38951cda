import { Hono } from "hono";
import { readJson } from "@/api/http";
import { type AuthEnv, requireScope } from "@/api/middleware/auth";
import { PagePatch } from "@/api/schemas";
import { commit } from "@/api/services/effects";
import { getPageSettings, updatePageSettings } from "@/api/services/page-settings";
import type { PageSettings } from "@/db/schema";
import type { AppDeps } from "@/api/app";
import { staff } from "./staff";

const presentSettings = (s: PageSettings, siteUrl?: string) => ({
  id: s.code,
  name: s.name,
  url: siteUrl ?? s.url,
  time_zone: s.timeZone,
  updated_at: new Date(s.updatedAt).toISOString(),
});

/** The page's name, URL and time zone: admin scope only. */
export function pageSettingsRoutes(deps: AppDeps) {
  return new Hono<AuthEnv>()
    .use("/page", requireScope("admin"))
    .get("/page", async (c) => c.json(presentSettings(await getPageSettings(deps), deps.siteUrl)))
    .patch("/page", async (c) => {
      const settings = await commit(deps, updatePageSettings(staff(c, deps), await readJson(c, PagePatch)));
      return c.json(presentSettings(settings, deps.siteUrl));
    });
}
