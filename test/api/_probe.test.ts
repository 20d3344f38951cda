import { it } from "vitest";
import { makeApp } from "../support/app";

it("probe", async () => {
  const t = await makeApp();
  const show = async (label: string, r: Response) => console.log(label, r.status, JSON.stringify(Object.fromEntries(r.headers)), (await r.text()).slice(0, 300));
  await show("unknown admin", await t.call("GET", "/api/v1/nope"));
  await show("unknown write", await t.call("GET", "/api/v1/nope", undefined, { scope: "write" }));
  await show("unknown read", await t.call("GET", "/api/v1/nope", undefined, { scope: "read" }));
  await show("unknown nokey", await t.call("GET", "/api/v1/nope", undefined, { scope: null }));
  await show("top", await t.call("GET", "/nope"));
  await show("top post", await t.call("POST", "/nope", {}));
  await show("big", await t.call("POST", "/api/v1/incidents", JSON.stringify({ name: "x", body: "a".repeat(70000) })));
  await show("bad json", await t.call("POST", "/api/v1/incidents", "{nope"));
  await show("incident", await t.call("POST", "/api/v1/incidents", { name: "x" }));
  const comps = await (await t.call("GET", "/api/v1/components")).json();
  console.log(comps.map((c: any) => [c.name, c.position, c.group_id]));
  await t.cleanup();
});
