import { eq } from "drizzle-orm";
import { type PageSettings, pageSettings } from "@/db/schema";
import type { PagePatch } from "@/api/schemas";
import type { Deps } from "./deps";

export async function getPageSettings({ db }: Deps): Promise<PageSettings> {
  const [row] = await db.select().from(pageSettings);
  return row!;
}

export async function updatePageSettings(deps: Deps, patch: PagePatch): Promise<PageSettings> {
  await deps.db
    .update(pageSettings)
    .set({
      ...(patch.name !== undefined && { name: patch.name }),
      ...(patch.url !== undefined && { url: patch.url.replace(/\/+$/, "") }),
      ...(patch.time_zone !== undefined && { timeZone: patch.time_zone }),
      updatedAt: deps.clock(),
    })
    .where(eq(pageSettings.id, "page"));
  return getPageSettings(deps);
}
