import { Hono } from "hono";
import { readJson } from "@/api/http";
import type { AuthEnv } from "@/api/middleware/auth";
import { presentComponent, presentGroup } from "@/api/publish/statuspage-json";
import { ComponentCreate, ComponentPatch, GroupCreate, GroupPatch, Reorder } from "@/api/schemas";
import * as componentService from "@/api/services/components";
import * as groupService from "@/api/services/groups";
import { loadComponentTree, loadPage } from "@/api/services/read-model";
import type { AppDeps } from "@/api/app";

export function componentRoutes(deps: AppDeps) {
  const page = () => loadPage(deps.db, deps.siteUrl);
  // Every change republishes; a status change may also have queued webhooks.
  const published = <T>(value: T) => (deps.publisher.touch({}), deps.notifier.wake(), value);

  return new Hono<AuthEnv>()
    .get("/components", async (c) => {
      const p = await page();
      return c.json((await componentService.listComponents(deps)).map((x) => presentComponent(x, p)));
    })
    .post("/components", async (c) => {
      const created = await componentService.createComponent(deps, await readJson(c, ComponentCreate));
      return c.json(presentComponent(published(created), await page()), 201);
    })
    .post("/components/reorder", async (c) => {
      await componentService.reorder(deps, (await readJson(c, Reorder)).ids);
      published(null);
      return c.body(null, 204);
    })
    .get("/components/:id", async (c) => {
      return c.json(presentComponent(await componentService.getComponent(deps, c.req.param("id")), await page()));
    })
    .patch("/components/:id", async (c) => {
      const updated = await componentService.updateComponent(
        deps,
        c.req.param("id"),
        await readJson(c, ComponentPatch),
      );
      return c.json(presentComponent(published(updated), await page()));
    })
    .delete("/components/:id", async (c) => {
      await componentService.deleteComponent(deps, c.req.param("id"));
      published(null);
      return c.body(null, 204);
    })
    .get("/groups", async (c) => {
      const [p, tree] = await Promise.all([page(), loadComponentTree(deps.db)]);
      return c.json(tree.groups.map((g) => presentGroup(g, p)));
    })
    .post("/groups", async (c) => {
      const group = published(await groupService.createGroup(deps, await readJson(c, GroupCreate)));
      return c.json(await presentGroupById(group.id), 201);
    })
    .post("/groups/reorder", async (c) => {
      await componentService.reorder(deps, (await readJson(c, Reorder)).ids);
      published(null);
      return c.body(null, 204);
    })
    .patch("/groups/:id", async (c) => {
      const group = published(await groupService.updateGroup(deps, c.req.param("id"), await readJson(c, GroupPatch)));
      return c.json(await presentGroupById(group.id));
    })
    .delete("/groups/:id", async (c) => {
      await groupService.deleteGroup(deps, c.req.param("id"));
      published(null);
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
