import { Hono } from "hono";
import { readJson } from "@/api/http";
import type { AuthEnv } from "@/api/middleware/auth";
import { PostmortemPublish, PostmortemSave } from "@/api/schemas";
import { commit, type Written } from "@/api/services/effects";
import * as service from "@/api/services/postmortems";
import { loadPage } from "@/api/services/read-model";
import { presentPostmortem } from "@/present/postmortem";
import type { AppDeps } from "@/api/app";
import { staff } from "./staff";

/** A resolved incident's postmortem: a draft staff write, publish (telling subscribers once if asked) and unpublish. */
export function postmortemRoutes(deps: AppDeps) {
  const present = async (state: service.PostmortemState) =>
    presentPostmortem(state, (await loadPage(deps.db, deps.siteUrl)).timeZone);
  const answer = async (write: Promise<Written<service.PostmortemState>>) => present(await commit(deps, write));

  return new Hono<AuthEnv>()
    .get("/incidents/:id/postmortem", async (c) =>
      c.json(await present(await service.getPostmortem(deps, c.req.param("id")))),
    )
    .put("/incidents/:id/postmortem", async (c) => {
      const input = await readJson(c, PostmortemSave);
      return c.json(await answer(service.savePostmortem(staff(c, deps), c.req.param("id"), input)));
    })
    .delete("/incidents/:id/postmortem", async (c) => {
      await commit(deps, service.dropPostmortem(staff(c, deps), c.req.param("id")));
      return c.body(null, 204);
    })
    .post("/incidents/:id/postmortem/publish", async (c) => {
      const input = await readJson(c, PostmortemPublish);
      return c.json(await answer(service.publishPostmortem(staff(c, deps), c.req.param("id"), input)));
    })
    .post("/incidents/:id/postmortem/unpublish", async (c) =>
      c.json(await answer(service.unpublishPostmortem(staff(c, deps), c.req.param("id")))),
    );
}
