import { Hono, type Context } from "hono";
import { AppError } from "@/api/errors";
import { type FormBody, validate } from "@/api/http";
import type { AdminEnv } from "@/api/middleware/admin-session";
import { ChannelCreate } from "@/api/chat/channel-schemas";
import { chatPlatformLabels, chatPlatforms } from "@/api/chat/platforms";
import { commit, type Written } from "@/api/services/effects";
import {
  createStaffChannel,
  deleteStaffChannel,
  listComponentNames,
  listStaffChannels,
  setStaffChannelEnabled,
} from "@/api/services/staff-channels";
import type { AdminChannelsView, FormError } from "@/present/admin-views";
import type { AppDeps } from "@/api/app";
import { staff } from "../staff";
import * as form from "../admin-forms";
import type { ConsoleKit } from "./kit";

const one = (body: FormBody, name: string) => [body[name] ?? []].flat().find((v) => typeof v === "string");

/** The add form's fields in the API's shape: no component ticked means every component. */
function channelForm(body: FormBody) {
  const components = [body.components ?? []].flat().filter((v): v is string => typeof v === "string");
  const name = (one(body, "name") ?? "").trim();
  return {
    type: one(body, "type") ?? "",
    url: (one(body, "url") ?? "").trim(),
    purpose: one(body, "purpose") ?? "",
    ...(components.length > 0 ? { components } : {}),
    ...(name ? { name } : {}),
  };
}

/** Staff chat channels (admin, as in the API): list with status and reason, add, remove, enable again. */
export function channelRoutes(deps: AppDeps, kit: ConsoleKit) {
  const show = async (c: Context<AdminEnv>, status: 200 | 404 | 409 | 422, error: FormError = null) => {
    const [channels, components] = await Promise.all([listStaffChannels(deps), listComponentNames(deps)]);
    const names = new Map(components.map((x) => [x.id, x.name]));
    const view: AdminChannelsView = {
      ...(await kit.chrome(c)),
      error,
      channels: channels.map((ch) => ({
        id: ch.id,
        type: ch.type,
        typeLabel: chatPlatformLabels[ch.type],
        purpose: ch.purpose,
        name: ch.name,
        url: ch.url,
        components:
          ch.purpose === "alerts"
            ? "staff alerts"
            : ch.components === null
              ? "every component"
              : ch.components.map((id) => names.get(id) ?? id).join(", "),
        status: ch.status,
        disabledReason: ch.disabledReason,
        lastError: ch.lastError,
      })),
      platforms: chatPlatforms.map((p) => ({ value: p, label: chatPlatformLabels[p] })),
      components,
    };
    return kit.render(c, "/admin/channels", view, status);
  };
  const act = (c: Context<AdminEnv>, run: () => Promise<Written<unknown>>, done: string) =>
    kit.act(c, `channel:${c.req.param("id")}`, run, done, show);

  return new Hono<AdminEnv>()
    .use("/channels", kit.requireAdmin)
    .use("/channels/*", kit.requireAdmin)
    .get("/channels", (c) => show(c, 200))
    .post("/channels", async (c) => {
      const posted = await kit.body(c);
      try {
        const input = validate(ChannelCreate, channelForm(posted));
        await commit(deps, createStaffChannel(staff(c, deps), input));
        return c.redirect("/admin/channels?flash=channel-added", 303);
      } catch (error) {
        if (!(error instanceof AppError) || ![409, 422].includes(error.status)) throw error;
        return show(c, error.status as 409 | 422, {
          form: "channel",
          message: error.message,
          values: form.formValues(posted),
        });
      }
    })
    .post("/channels/:id/remove", (c) =>
      act(c, () => deleteStaffChannel(staff(c, deps), c.req.param("id")), "/admin/channels?flash=channel-removed"),
    )
    .post("/channels/:id/enable", (c) =>
      act(
        c,
        () => setStaffChannelEnabled(staff(c, deps), c.req.param("id"), { enabled: true }),
        "/admin/channels?flash=channel-enabled",
      ),
    );
}
