import { count, isNull } from "drizzle-orm";
import { runAtomically } from "@/db/client";
import { apiKeys, componentGroups, components, pageSettings } from "@/db/schema";
import { newId } from "@/api/ids";
import { createApiKey } from "./api-keys";
import { systemActor } from "./audit";
import type { Deps } from "./deps";

/**
 * On an empty database, creates the page Marquee was born from: a ticketing company's servers tix1–tix5 in a group
 * "Ticketing servers", plus Webtix (online sales) and Wintix (the box-office program).
 */
export async function seedDefaultPage(deps: Deps, url: string): Promise<boolean> {
  const [{ n } = { n: 0 }] = await deps.db.select({ n: count() }).from(pageSettings);
  if (n > 0) return false;
  const now = deps.clock();
  const groupId = newId();
  const servers = ["tix1", "tix2", "tix3", "tix4", "tix5"];
  const row = (name: string, position: number, groupId: string | null, description: string) => ({
    id: newId(),
    groupId,
    name,
    description,
    position,
    status: "operational" as const,
    createdAt: now,
    updatedAt: now,
  });
  await runAtomically(deps.db, [
    deps.db
      .insert(pageSettings)
      .values({ id: "page", code: newId(), name: "Ticketing", url, timeZone: "Etc/UTC", updatedAt: now }),
    deps.db.insert(componentGroups).values({
      id: groupId,
      name: "Ticketing servers",
      description: "The servers that run ticket sales, one per data centre",
      position: 0,
      createdAt: now,
      updatedAt: now,
    }),
    deps.db
      .insert(components)
      .values([
        ...servers.map((name, i) => row(name, i, groupId, `Ticketing server ${name}`)),
        row("Webtix", 1, null, "Online ticket sales"),
        row("Wintix", 2, null, "The box-office program"),
      ]),
  ]);
  return true;
}

/**
 * Creates an admin key when no admin key works (first start, or ADMIN_API_KEY removed), and returns it so the
 * operator sees it once.
 */
export async function createFirstAdminKey(deps: Deps): Promise<string | null> {
  const live = await deps.db.select({ scopes: apiKeys.scopes }).from(apiKeys).where(isNull(apiKeys.revokedAt));
  if (live.some((k) => k.scopes.includes("admin"))) return null;
  const actor = systemActor("first start");
  const { key } = (await createApiKey({ ...deps, actor }, { name: "First admin key", scopes: ["admin"] })).value;
  return key;
}
