import { and, asc, desc, eq, inArray, isNotNull } from "drizzle-orm";
import {
  chatChannelComponents,
  chatChannels,
  chatPosts,
  components,
  type ChatChannel,
  staffAlertDeliveries,
  staffDestinations,
  type StaffDestination,
} from "@/db/schema";
import { chatPlatforms, type ChatPlatform } from "@/db/vocabulary";
import type { ChannelCreate, ChannelPatch } from "@/api/chat/channel-schemas";
import { AppError, notFound } from "@/api/errors";
import { newId } from "@/api/ids";
import { checkUserUrl } from "@/api/outbound/outbound";
import { fieldNames, type StaffDeps, writeAudited } from "./audit";
import { assertComponentsExist } from "./component-status";
import type { Deps } from "./deps";
import { type Written, written } from "./effects";
import { createStaffDestination, deleteStaffDestination } from "./staff-destinations";

/** A staff channel as the API and the console show it: never its URL in full (its path or query is the secret). */
export type StaffChannel = {
  id: string;
  type: ChatPlatform;
  purpose: "broadcast" | "alerts";
  name: string | null;
  url: string;
  /** Component ids a broadcast channel follows; null: every component (and always for alerts). */
  components: string[] | null;
  status: "active" | "disabled";
  createdAt: number;
  disabledAt: number | null;
  disabledReason: string | null;
  failingSince: number | null;
  lastError: string | null;
};

/** The scheme and host, an ellipsis, and the URL's last four characters: enough to tell two channels apart. */
export function maskUrl(raw: string): string {
  try {
    const url = new URL(raw);
    return `${url.protocol}//${url.host}/…${raw.slice(-4)}`;
  } catch {
    return `…${raw.slice(-4)}`;
  }
}

const isChat = (kind: string): kind is ChatPlatform => (chatPlatforms as readonly string[]).includes(kind);

async function broadcastView(deps: Deps, row: ChatChannel): Promise<StaffChannel> {
  const followed = row.allComponents
    ? null
    : (
        await deps.db
          .select({ id: chatChannelComponents.componentId })
          .from(chatChannelComponents)
          .where(eq(chatChannelComponents.channelId, row.id))
      ).map((r) => r.id);
  const [last] = await deps.db
    .select({ error: chatPosts.lastError })
    .from(chatPosts)
    .where(and(eq(chatPosts.channelId, row.id), isNotNull(chatPosts.lastError)))
    .orderBy(desc(chatPosts.createdAt))
    .limit(1);
  return {
    id: row.id,
    type: row.platform,
    purpose: "broadcast",
    name: row.name,
    url: maskUrl(row.url),
    components: followed,
    status: row.status === "active" ? "active" : "disabled",
    createdAt: row.createdAt,
    disabledAt: row.disabledAt,
    disabledReason: row.disabledReason,
    failingSince: row.failingSince,
    lastError: last?.error ?? null,
  };
}

async function alertsView(deps: Deps, row: StaffDestination): Promise<StaffChannel> {
  const [last] = await deps.db
    .select({ error: staffAlertDeliveries.lastError })
    .from(staffAlertDeliveries)
    .where(and(eq(staffAlertDeliveries.destinationId, row.id), isNotNull(staffAlertDeliveries.lastError)))
    .orderBy(desc(staffAlertDeliveries.nextAttemptAt))
    .limit(1);
  return {
    id: row.id,
    type: row.kind as ChatPlatform,
    purpose: "alerts",
    name: row.name,
    url: maskUrl(row.target),
    components: null,
    status: row.disabledAt === null ? "active" : "disabled",
    createdAt: row.createdAt,
    disabledAt: row.disabledAt,
    disabledReason: row.disabledReason,
    failingSince: null,
    lastError: last?.error ?? null,
  };
}

/** Broadcast channels and chat staff destinations, oldest first. Customer channels are subscribers, listed there. */
export async function listStaffChannels(deps: Deps): Promise<StaffChannel[]> {
  const broadcast = await deps.db.select().from(chatChannels).where(eq(chatChannels.purpose, "broadcast"));
  const alerts = await deps.db
    .select()
    .from(staffDestinations)
    .where(inArray(staffDestinations.kind, [...chatPlatforms]));
  const views = [
    ...(await Promise.all(broadcast.map((r) => broadcastView(deps, r)))),
    ...(await Promise.all(alerts.map((r) => alertsView(deps, r)))),
  ];
  return views.sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
}

type Found = { kind: "broadcast"; row: ChatChannel } | { kind: "alerts"; row: StaffDestination };

async function findChannel(deps: Deps, id: string): Promise<Found> {
  const [broadcast] = await deps.db
    .select()
    .from(chatChannels)
    .where(and(eq(chatChannels.id, id), eq(chatChannels.purpose, "broadcast")));
  if (broadcast) return { kind: "broadcast", row: broadcast };
  const [alerts] = await deps.db.select().from(staffDestinations).where(eq(staffDestinations.id, id));
  if (alerts && isChat(alerts.kind)) return { kind: "alerts", row: alerts };
  throw notFound("Channel", id);
}

const viewOf = (deps: Deps, found: Found) =>
  found.kind === "broadcast" ? broadcastView(deps, found.row) : alertsView(deps, found.row);

export async function getStaffChannel(deps: Deps, id: string): Promise<StaffChannel> {
  return viewOf(deps, await findChannel(deps, id));
}

/** Adds a staff channel: a broadcast channel is active at once (staff need no confirmation); alerts reuse staff destinations. */
export async function createStaffChannel(deps: StaffDeps, input: ChannelCreate): Promise<Written<StaffChannel>> {
  if (input.purpose === "alerts") {
    if (input.components !== undefined) {
      throw new AppError("validation_failed", "components: only a broadcast channel follows components", [
        { path: "components", message: "only a broadcast channel follows components" },
      ]);
    }
    const made = await createStaffDestination(deps, { kind: input.type, target: input.url, name: input.name });
    return written(await alertsView(deps, made.value), made.effects);
  }
  const followed = [...new Set(input.components ?? [])];
  await assertComponentsExist(deps.db, followed);
  // Refused before it is stored, and again before each post (api/outbound, docs/security.md).
  await checkUserUrl(deps, input.url);
  const now = deps.clock();
  const row: ChatChannel = {
    id: newId(),
    platform: input.type,
    url: input.url,
    purpose: "broadcast",
    status: "active",
    name: input.name ?? null,
    allComponents: input.components === undefined,
    confirmTokenHash: null,
    confirmExpiresAt: null,
    confirmedAt: now,
    notBefore: null,
    failingSince: null,
    disabledAt: null,
    disabledReason: null,
    createdAt: now,
    updatedAt: now,
  };
  try {
    // The URL may carry the webhook's secret: the audit row names the fields only.
    await writeAudited(
      deps,
      { resourceType: "chat_channel", resourceId: row.id, action: "create", fields: fieldNames(input) },
      [
        deps.db.insert(chatChannels).values(row),
        ...followed.map((componentId) =>
          deps.db.insert(chatChannelComponents).values({ channelId: row.id, componentId }),
        ),
      ],
    );
  } catch (error) {
    if (/UNIQUE constraint failed: chat_channels\./.test(String(error))) {
      throw new AppError("conflict", "This webhook is already a chat channel");
    }
    throw error;
  }
  return written(await broadcastView(deps, row), {});
}

export async function deleteStaffChannel(deps: StaffDeps, id: string): Promise<Written<void>> {
  const found = await findChannel(deps, id);
  if (found.kind === "alerts") return deleteStaffDestination(deps, id);
  await writeAudited(deps, { resourceType: "chat_channel", resourceId: id, action: "delete" }, [
    deps.db.delete(chatChannels).where(eq(chatChannels.id, id)),
  ]);
  return written(undefined, {});
}

/**
 * Enables or disables a channel by hand. Enabling forgets the reason, the run of failures and any 429 wait; posts that
 * failed while it was disabled stay failed (the next update reaches it).
 */
export async function setStaffChannelEnabled(
  deps: StaffDeps,
  id: string,
  { enabled }: ChannelPatch,
): Promise<Written<StaffChannel>> {
  const found = await findChannel(deps, id);
  const now = deps.clock();
  const audit = { resourceType: "chat_channel", resourceId: id, action: enabled ? "enable" : "disable" };
  const reason = "disabled by staff";
  if (found.kind === "alerts") {
    await writeAudited(deps, { ...audit, resourceType: "staff_destination" }, [
      deps.db
        .update(staffDestinations)
        .set(enabled ? { disabledAt: null, disabledReason: null } : { disabledAt: now, disabledReason: reason })
        .where(eq(staffDestinations.id, id)),
    ]);
  } else {
    await writeAudited(deps, audit, [
      deps.db
        .update(chatChannels)
        .set(
          enabled
            ? { status: "active", disabledAt: null, disabledReason: null, failingSince: null, notBefore: null }
            : { status: "disabled", disabledAt: now, disabledReason: reason },
        )
        .where(eq(chatChannels.id, id)),
      ...(enabled
        ? []
        : [
            deps.db
              .update(chatPosts)
              .set({ status: "failed", lastError: `channel disabled: ${reason}` })
              .where(and(eq(chatPosts.channelId, id), eq(chatPosts.status, "pending"))),
          ]),
    ]);
  }
  return written(await getStaffChannel(deps, id), { wake: enabled });
}

/** Components a broadcast channel may follow, in page order (the console's add form). */
export function listComponentNames({ db }: Deps): Promise<{ id: string; name: string }[]> {
  return db
    .select({ id: components.id, name: components.name })
    .from(components)
    .orderBy(asc(components.position), asc(components.name));
}
