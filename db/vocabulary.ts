// Statuspage's vocabulary (reference/statuspage-v2.md §2) and Marquee's own, in one place: the schema, the zod input
// schemas, the services, the presenters and the console all take their sets from here.

export const componentStatuses = [
  "operational",
  "degraded_performance",
  "partial_outage",
  "major_outage",
  "under_maintenance",
] as const;
export const incidentStatuses = ["investigating", "identified", "monitoring", "resolved", "postmortem"] as const;
export const maintenanceStatuses = ["scheduled", "in_progress", "verifying", "completed"] as const;
export const updateStatuses = [...incidentStatuses, ...maintenanceStatuses] as const;
export const impacts = ["none", "minor", "major", "critical", "maintenance"] as const;
export const incidentKinds = ["incident", "maintenance"] as const;
/**
 * `read` < `write` < `admin`, each including the one before. `alerts` stands apart: it only lets a monitoring tool
 * post alerts (/api/v1/alerts/*), which `write` and `admin` keys may do too; it reads nothing.
 */
export const apiScopes = ["read", "write", "admin", "alerts"] as const;
export const subscriberStatuses = ["unconfirmed", "active", "unsubscribed", "suppressed"] as const;
export const deliveryStatuses = ["pending", "sent", "failed"] as const;

export type ComponentStatus = (typeof componentStatuses)[number];
export type IncidentStatus = (typeof incidentStatuses)[number];
export type MaintenanceStatus = (typeof maintenanceStatuses)[number];
export type UpdateStatus = (typeof updateStatuses)[number];

/** An incident in one of these is open: it holds its components and shows on the front page. */
export const unresolvedIncidentStatuses = ["investigating", "identified", "monitoring"] as const;
/** An incident in one of these is over. */
export const closedIncidentStatuses = ["resolved", "postmortem"] as const satisfies IncidentStatus[];
/** A maintenance not started yet. */
export const upcomingMaintenanceStatuses = ["scheduled"] as const satisfies MaintenanceStatus[];
/** A maintenance under way: it holds its components. */
export const activeMaintenanceStatuses = ["in_progress", "verifying"] as const satisfies MaintenanceStatus[];
/** A maintenance that is not completed: upcoming or under way. */
export const openMaintenanceStatuses = [
  ...upcomingMaintenanceStatuses,
  ...activeMaintenanceStatuses,
] as const satisfies MaintenanceStatus[];

export const isClosedIncidentStatus = (status: string): boolean =>
  (closedIncidentStatuses as readonly string[]).includes(status);

/** D1 binds at most 100 parameters per statement: lists of ids go to the database in slices of this many. */
export const idsPerStatement = 90;
/** Who made a change in the audit log: an API key, the console (signed in with a key), or Marquee itself. */
export const auditActorKinds = ["api_key", "console", "system"] as const;
/** What a monitor last concluded: `pending` before it has seen enough results, `paused` while staff paused it. */
export const monitorStates = ["pending", "up", "degraded", "down", "paused"] as const;
export type MonitorState = (typeof monitorStates)[number];
/** What a detection does about incidents: nothing, a draft staff publish, or a published incident. */
export const automaticIncidentModes = ["off", "draft", "publish"] as const;
export type AutomaticIncidentMode = (typeof automaticIncidentModes)[number];
/** The sources that change status on their own. */
export const automaticSourceKinds = ["monitor", "heartbeat", "alert"] as const;
export type AutomaticSourceKind = (typeof automaticSourceKinds)[number];
/** The monitoring tools whose alert webhooks Marquee takes (api/alerts). */
export const alertSources = ["alertmanager", "grafana"] as const;
export type AlertSource = (typeof alertSources)[number];
/**
 * Where staff alerts go. Chat platforms join later: the column carries no CHECK, so a new kind needs no migration,
 * only a sender for it (api/notify/staff-alert-sender.ts).
 */
/** The chat platforms Marquee posts into through their incoming webhooks (api/chat). */
export const chatPlatforms = ["slack", "teams", "discord", "google_chat"] as const;
export type ChatPlatform = (typeof chatPlatforms)[number];
// The chat kinds post the alert as a native message (api/chat); their names match the chat platforms.
export const staffDestinationKinds = ["email", "webhook", ...chatPlatforms] as const;
/**
 * A chat channel that follows incidents: a customer's (`subscriber`, confirmed from inside the channel before it gets
 * anything) or staff's (`broadcast`, active at once). Staff alert channels are staff destinations of a chat kind.
 */
export const chatChannelPurposes = ["subscriber", "broadcast"] as const;
export type ChatChannelPurpose = (typeof chatChannelPurposes)[number];
/** `disabled`: the platform refused for good (the webhook was deleted, the channel archived) or it failed for days. */
export const chatChannelStatuses = ["unconfirmed", "active", "unsubscribed", "disabled"] as const;
export type ChatChannelStatus = (typeof chatChannelStatuses)[number];
/**
 * A chat post in the outbox. Platforms take no idempotency key, so a post is marked `posting` before the request and
 * `sent` after the answer: a post found `posting` after a crash may or may not have reached the channel.
 */
export const chatPostStatuses = ["pending", "posting", "sent", "failed"] as const;
export type ChatPostStatus = (typeof chatPostStatuses)[number];
/** `reminder`: a maintenance's reminder, which adds no update; its notification (`notification_id`) names it. */
export const chatPostKinds = ["confirmation", "update", "reminder"] as const;
export type ChatPostKind = (typeof chatPostKinds)[number];
/** A destination made through the API, or one of STAFF_EMAILS (kept in step with the setting at each start). */
export const staffDestinationSources = ["api", "config"] as const;
export type StaffDestinationKind = (typeof staffDestinationKinds)[number];
/** What a heartbeat last concluded from its pings: `new` before the first one. `late` is only ever worked out. */
export const heartbeatStatuses = ["new", "up", "down"] as const;
export type HeartbeatStatus = (typeof heartbeatStatuses)[number];
/** What a ping says: the job succeeded (`/`, `/0`), started (`/start`), or failed (`/fail`, `/1`…`/255`). */
export const heartbeatPingKinds = ["success", "start", "fail"] as const;
export type HeartbeatPingKind = (typeof heartbeatPingKinds)[number];
