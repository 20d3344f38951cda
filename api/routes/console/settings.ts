import { Hono, type Context } from "hono";
import { validate } from "@/api/http";
import type { AdminEnv } from "@/api/middleware/admin-session";
import { PagePatch } from "@/api/schemas";
import { getPageSettings, updatePageSettings } from "@/api/services/page-settings";
import type { AdminSettingsView, FormError } from "@/present/admin-views";
import type { AppDeps } from "@/api/app";
import { staff } from "../staff";
import * as form from "../admin-forms";
import type { ConsoleKit } from "./kit";

/** The page's name, address and time zone (admin scope, as `PATCH /api/v1/page`). */
export function settingsRoutes(deps: AppDeps, kit: ConsoleKit) {
  const show = async (c: Context<AdminEnv>, status: 200 | 404 | 409 | 422, error: FormError = null) => {
    const settings = await getPageSettings(deps);
    const view: AdminSettingsView = {
      ...(await kit.chrome(c)),
      error,
      settings: { name: settings.name, url: settings.url, timeZone: settings.timeZone },
      siteUrl: deps.siteUrl ?? null,
      timeZones: Intl.supportedValuesOf("timeZone"),
    };
    return kit.render(c, "/admin/settings", view, status);
  };

  return new Hono<AdminEnv>()
    .use("/settings", kit.requireAdmin)
    .get("/settings", (c) => show(c, 200))
    .post("/settings", (c) =>
      kit.act(
        c,
        "settings",
        (b) => updatePageSettings(staff(c, deps), validate(PagePatch, form.settingsForm(b))),
        "/admin/settings?flash=settings",
        show,
      ),
    );
}
