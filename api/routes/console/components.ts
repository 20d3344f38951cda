import { Hono, type Context } from "hono";
import { AppError } from "@/api/errors";
import { validate } from "@/api/http";
import type { AdminEnv } from "@/api/middleware/admin-session";
import { ComponentCreate, ComponentPatch, GroupCreate, GroupPatch } from "@/api/schemas";
import { moveInOrder } from "@/api/services/component-moves";
import { createComponent, deleteComponent, getComponent, updateComponent } from "@/api/services/components";
import { createGroup, deleteGroup, getGroup, updateGroup } from "@/api/services/groups";
import { loadComponentTree } from "@/api/services/read-model";
import type { AdminComponentsView, AdminConfirmView, FormError } from "@/present/admin-views";
import type { AppDeps } from "@/api/app";
import { staff } from "../staff";
import * as form from "../admin-forms";
import type { ConsoleKit } from "./kit";

const direction = (value: string | undefined) => {
  if (value === "up" || value === "down") return value;
  throw new AppError("validation_failed", "direction: must be up or down");
};

/** Components and groups: create, edit, move up or down, and delete after a confirmation page. */
export function componentsRoutes(deps: AppDeps, kit: ConsoleKit) {
  const show = async (c: Context<AdminEnv>, status: 200 | 404 | 409 | 422, error: FormError = null) => {
    const tree = await loadComponentTree(deps.db);
    const view: AdminComponentsView = {
      ...(await kit.chrome(c)),
      error,
      groups: tree.groups,
      rows: tree.layout.map((row) =>
        row.type === "group"
          ? { type: "group", group: row.group, components: row.group.components }
          : { type: "component", component: row.component },
      ),
    };
    return kit.render(c, "/admin/components", view, status);
  };
  const act = (c: Context<AdminEnv>, name: string, run: Parameters<ConsoleKit["act"]>[2], flash: string) =>
    kit.act(c, name, run, `/admin/components?flash=${flash}`, show);
  const confirm = async (
    c: Context<AdminEnv>,
    view: Omit<AdminConfirmView, keyof Awaited<ReturnType<ConsoleKit["chrome"]>>>,
  ) => kit.render(c, "/admin/confirm", { ...(await kit.chrome(c)), ...view }, 200);
  /** A confirmation page for a thing that no longer exists says so, as the API would. */
  const missing = (c: Context<AdminEnv>, error: unknown) => {
    if (error instanceof AppError && error.status === 404) return kit.notice(c, "Not found", error.message, 404);
    throw error;
  };

  return new Hono<AdminEnv>()
    .get("/components", (c) => show(c, 200))
    .post("/components", (c) =>
      act(
        c,
        "component:new",
        (b) => createComponent(staff(c, deps), validate(ComponentCreate, form.componentFields(b, false))),
        "component-created",
      ),
    )
    .post("/components/:id/edit", (c) =>
      act(
        c,
        `component:${c.req.param("id")}`,
        (b) =>
          updateComponent(staff(c, deps), c.req.param("id"), validate(ComponentPatch, form.componentFields(b, true))),
        "component-saved",
      ),
    )
    .post("/components/:id/move", (c) =>
      act(
        c,
        `component:${c.req.param("id")}`,
        (b) => moveInOrder(staff(c, deps), c.req.param("id"), direction(form.moveForm(b))),
        "component-moved",
      ),
    )
    .get("/components/:id/delete", async (c) => {
      const component = await getComponent(deps, c.req.param("id")).catch((e: unknown) => missing(c, e));
      if (component instanceof Response) return component;
      return confirm(c, {
        title: `Delete ${component.name}?`,
        message: `The component ${component.name} leaves the page, its uptime history and every subscriber's choice. This cannot be undone.`,
        action: `/admin/components/${component.id}/delete`,
        button: "Delete component",
        back: "/admin/components",
      });
    })
    .post("/components/:id/delete", (c) =>
      act(
        c,
        `component:${c.req.param("id")}`,
        () => deleteComponent(staff(c, deps), c.req.param("id")),
        "component-deleted",
      ),
    )
    .post("/groups", (c) =>
      act(
        c,
        "group:new",
        (b) => createGroup(staff(c, deps), validate(GroupCreate, form.groupForm(b, false))),
        "group-created",
      ),
    )
    .post("/groups/:id/edit", (c) =>
      act(
        c,
        `group:${c.req.param("id")}`,
        (b) => updateGroup(staff(c, deps), c.req.param("id"), validate(GroupPatch, form.groupForm(b, true))),
        "group-saved",
      ),
    )
    .post("/groups/:id/move", (c) =>
      act(
        c,
        `group:${c.req.param("id")}`,
        (b) => moveInOrder(staff(c, deps), c.req.param("id"), direction(form.moveForm(b))),
        "component-moved",
      ),
    )
    .get("/groups/:id/delete", async (c) => {
      const group = await getGroup(deps, c.req.param("id")).catch((e: unknown) => missing(c, e));
      if (group instanceof Response) return group;
      return confirm(c, {
        title: `Delete the group ${group.name}?`,
        message: `The group ${group.name} goes; its components stay on the page, ungrouped.`,
        action: `/admin/groups/${group.id}/delete`,
        button: "Delete group",
        back: "/admin/components",
      });
    })
    .post("/groups/:id/delete", (c) =>
      act(c, `group:${c.req.param("id")}`, () => deleteGroup(staff(c, deps), c.req.param("id")), "group-deleted"),
    );
}
