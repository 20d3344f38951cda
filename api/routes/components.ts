import { Hono } from "hono";
import { readJson } from "@/api/http";
import type { AuthEnv } from "@/api/middleware/auth";
import { presentComponent, presentGroup } from "@/present/statuspage";
import { ComponentCreate, ComponentPatch, GroupCreate, GroupPatch, Reorder } from "@/api/schemas";
import * as componentService from "@/api/services/components";
import { commit } from "@/api/services/effects";
import * as groupService from "@/api/services/groups";
import { loadComponentTree, loadPage } from "@/api/services/read-model";
import type { AppDeps } from "@/api/app";
import { staff } from "./staff";

export function componentRoutes(deps: AppDeps) {
  const page = () => loadPage(deps.db, deps.siteUrl);

  return new Hono<AuthEnv>()
    .get("/components", async (c) => {
      const p = await page();
      return c.json((await componentService.listComponents(deps)).map((x) => presentComponent(x, p)));
    })
    .post("/components", async (c) => {
      const created = await commit(
        deps,
        componentService.createComponent(staff(c, deps), await readJson(c, ComponentCreate)),
      );
      return c.json(presentComponent(created, await page()), 201);
    })
    .post("/components/reorder", async (c) => {
      await commit(deps, componentService.reorder(staff(c, deps), (await readJson(c, Reorder)).ids));
      return c.body(null, 204);
    })
    .get("/components/:id", async (c) => {
      return c.json(presentComponent(await componentService.getComponent(deps, c.req.param("id")), await page()));
    })
    .patch("/components/:id", async (c) => {
      const patch = await readJson(c, ComponentPatch);
      const updated = await commit(deps, componentService.updateComponent(staff(c, deps), c.req.param("id"), patch));
      return c.json(presentComponent(updated, await page()));
    })
    .delete("/components/:id", async (c) => {
      await commit(deps, componentService.deleteComponent(staff(c, deps), c.req.param("id")));
      return c.body(null, 204);
    })
    .get("/groups", async (c) => {
      const [p, tree] = await Promise.all([page(), loadComponentTree(deps.db)]);
      return c.json(tree.groups.map((g) => presentGroup(g, p)));
    })
    .post("/groups", async (c) => {
      const group = await commit(deps, groupService.createGroup(staff(c, deps), await readJson(c, GroupCreate)));
      return c.json(await presentGroupById(group.id), 201);
    })
    .post("/groups/reorder", async (c) => {
      await commit(deps, componentService.reorder(staff(c, deps), (await readJson(c, Reorder)).ids, "group"));
      return c.body(null, 204);
    })
    .patch("/groups/:id", async (c) => {
      const patch = await readJson(c, GroupPatch);
      const group = await commit(deps, groupService.updateGroup(staff(c, deps), c.req.param("id"), patch));
      return c.json(await presentGroupById(group.id));
    })
    .delete("/groups/:id", async (c) => {
      await commit(deps, groupService.deleteGroup(staff(c, deps), c.req.param("id")));
      return c.body(null, 204);
    });

  async function presentGroupById(id: string) {
    const tree = await loadComponentTree(deps.db);
    return presentGroup(
      tree.groups.find((g) => g.id === id)!,
      await page(),
    );
  }
}
