import { eq } from "drizzle-orm";
import { type PageSettings, pageSettings } from "@/db/schema";
import type { PagePatch } from "@/api/schemas";
import { fieldNames, type StaffDeps, writeAudited } from "./audit";
import type { Deps } from "./deps";
import { type Written, written } from "./effects";

export async function getPageSettings({ db }: Deps): Promise<PageSettings> {
  const [row] = await db.select().from(pageSettings);
  return row!;
}

/** Every page shows the name, links and times: all of them are rendered again. */
export async function updatePageSettings(deps: StaffDeps, patch: PagePatch): Promise<Written<PageSettings>> {
  const update = deps.db
    .update(pageSettings)
    .set({
      ...(patch.name !== undefined && { name: patch.name }),
      ...(patch.url !== undefined && { url: patch.url.replace(/\/+$/, "") }),
      ...(patch.time_zone !== undefined && { timeZone: patch.time_zone }),
      updatedAt: deps.clock(),
    })
    .where(eq(pageSettings.id, "page"));
  await writeAudited(
    deps,
    {
      resourceType: "page",
      resourceId: "page",
      action: "update",
      fields: fieldNames(patch),
    },
    [update],
  );
  return written(await getPageSettings(deps), { publish: { everything: true } });
}
