import { eq } from "drizzle-orm";
import { deliveries, notifications, type PageSettings, pageSettings } from "@/db/schema";
import type { PagePatch } from "@/api/schemas";
import { fieldNames, type StaffDeps, writeAudited } from "./audit";
import type { Deps } from "./deps";
import { queuingRecipients } from "./outbox";
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

/** The address a first start without SITE_URL gives the page; set by hand, an address is kept as it is. */
const localDefault = /^http:\/\/localhost:\d+$/;

/**
 * Without SITE_URL, the page's links follow the port the server listens on now, not the one of its first start (or
 * of the machine a backup came from). Answers whether the address changed; the change republishes every page.
 * While emails wait in the outbox the address stays until a later start: a chunk sent again after a crash must be
 * the same request, links included, or Resend refuses its idempotency key ("used with a different payload").
 */
export async function followLocalPort(deps: Deps, url: string): Promise<boolean> {
  const settings = await getPageSettings(deps);
  if (settings.url === url || !localDefault.test(settings.url)) return false;
  const [waiting] = await deps.db
    .select({ one: deliveries.chunk })
    .from(deliveries)
    .where(eq(deliveries.status, "pending"))
    .limit(1);
  const [queuing] = await deps.db
    .select({ id: notifications.id })
    .from(notifications)
    .where(queuingRecipients)
    .limit(1);
  if (waiting || queuing) return false;
  await deps.db.update(pageSettings).set({ url, updatedAt: deps.clock() }).where(eq(pageSettings.id, "page"));
  return true;
}
