import { sql } from "drizzle-orm";
import { blob, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import {
  alertSources,
  chatChannelPurposes,
  chatChannelStatuses,
  chatPlatforms,
  chatPostKinds,
  chatPostStatuses,
  apiScopes,
  auditActorKinds,
  type ComponentStatus,
  componentStatuses,
  deliveryStatuses,
  impacts,
  incidentKinds,
  incidentStatuses,
  monitorStates,
  automaticIncidentModes,
  automaticSourceKinds,
  staffDestinationKinds,
  staffDestinationSources,
  heartbeatPingKinds,
  heartbeatStatuses,
  subscriberStatuses,
  updateStatuses,
} from "./vocabulary";

export * from "./vocabulary";

export type Impact = (typeof impacts)[number];
export type ApiScope = (typeof apiScopes)[number];

// All times are stored as UTC milliseconds since the epoch.
const createdAt = () => integer("created_at").notNull();
const updatedAt = () => integer("updated_at").notNull();

/** One row (id "page"): the page's own settings. */
export const pageSettings = sqliteTable("page_settings", {
  id: text("id").primaryKey(),
  code: text("code").notNull(),
  name: text("name").notNull(),
  url: text("url").notNull(),
  timeZone: text("time_zone").notNull(),
  updatedAt: updatedAt(),
});

export const componentGroups = sqliteTable("component_groups", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  description: text("description"),
  position: integer("position").notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const components = sqliteTable(
  "components",
  {
    id: text("id").primaryKey(),
    groupId: text("group_id").references(() => componentGroups.id, { onDelete: "set null" }),
    name: text("name").notNull(),
    description: text("description"),
    position: integer("position").notNull(),
    status: text("status", { enum: componentStatuses }).notNull().default("operational"),
    showcase: integer("showcase", { mode: "boolean" }).notNull().default(false),
    onlyShowIfDegraded: integer("only_show_if_degraded", { mode: "boolean" }).notNull().default(false),
    startDate: text("start_date"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("components_group_idx").on(t.groupId, t.position)],
);

/** Every status change of a component, for uptime figures. */
export const componentStatusChanges = sqliteTable(
  "component_status_changes",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    componentId: text("component_id")
      .notNull()
      .references(() => components.id, { onDelete: "cascade" }),
    oldStatus: text("old_status", { enum: componentStatuses }).notNull(),
    newStatus: text("new_status", { enum: componentStatuses }).notNull(),
    changedAt: integer("changed_at").notNull(),
  },
  (t) => [index("status_changes_component_idx").on(t.componentId, t.changedAt)],
);

/** Incidents and scheduled maintenances share one table, as they share one shape in Statuspage's API. */
export const incidents = sqliteTable(
  "incidents",
  {
    id: text("id").primaryKey(),
    kind: text("kind", { enum: incidentKinds }).notNull(),
    name: text("name").notNull(),
    status: text("status", { enum: updateStatuses }).notNull(),
    impact: text("impact", { enum: impacts }).notNull(),
    startedAt: integer("started_at").notNull(),
    monitoringAt: integer("monitoring_at"),
    resolvedAt: integer("resolved_at"),
    scheduledFor: integer("scheduled_for"),
    scheduledUntil: integer("scheduled_until"),
    // Maintenance only: move to in_progress / completed by itself when the window starts / ends.
    autoTransition: integer("auto_transition", { mode: "boolean" }).notNull().default(false),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("incidents_kind_started_idx").on(t.kind, t.startedAt),
    // The history's order: month pages are read by position in it (LIMIT/OFFSET) and counted, without sorting.
    index("incidents_started_idx").on(t.startedAt, t.createdAt, t.id),
    index("incidents_status_idx").on(t.status),
    index("incidents_updated_idx").on(t.updatedAt),
  ],
);

export const incidentUpdates = sqliteTable(
  "incident_updates",
  {
    id: text("id").primaryKey(),
    incidentId: text("incident_id")
      .notNull()
      .references(() => incidents.id, { onDelete: "cascade" }),
    status: text("status", { enum: updateStatuses }).notNull(),
    body: text("body").notNull(),
    displayAt: integer("display_at").notNull(),
    deliverNotifications: integer("deliver_notifications", { mode: "boolean" }).notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("incident_updates_incident_idx").on(t.incidentId, t.displayAt)],
);

/** The components an update changed, with the status before and after (Statuspage's affected_components). */
export const incidentUpdateComponents = sqliteTable(
  "incident_update_components",
  {
    updateId: text("update_id")
      .notNull()
      .references(() => incidentUpdates.id, { onDelete: "cascade" }),
    componentId: text("component_id").notNull(),
    name: text("name").notNull(),
    oldStatus: text("old_status", { enum: componentStatuses }).notNull(),
    newStatus: text("new_status", { enum: componentStatuses }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.updateId, t.componentId] })],
);

/** The components an incident or maintenance affects. */
export const incidentComponents = sqliteTable(
  "incident_components",
  {
    incidentId: text("incident_id")
      .notNull()
      .references(() => incidents.id, { onDelete: "cascade" }),
    componentId: text("component_id")
      .notNull()
      .references(() => components.id, { onDelete: "cascade" }),
  },
  (t) => [
    primaryKey({ columns: [t.incidentId, t.componentId] }),
    index("incident_components_component_idx").on(t.componentId),
  ],
);

/**
 * A closed incident's postmortem. `body` is the draft staff edit (null once dropped); what readers see is the
 * incident's postmortem update (present/postmortem.ts), written from the draft when it is published, so a draft saved
 * later stays unseen until published again. `notified_at` is set once and never cleared: subscribers are told once.
 */
export const incidentPostmortems = sqliteTable("incident_postmortems", {
  incidentId: text("incident_id")
    .primaryKey()
    .references(() => incidents.id, { onDelete: "cascade" }),
  body: text("body"),
  createdAt: createdAt(),
  /** When the draft was last saved or dropped. */
  updatedAt: updatedAt(),
  /** Set while published; cleared by unpublishing. */
  publishedAt: integer("published_at"),
  notifiedAt: integer("notified_at"),
});
export type IncidentPostmortem = typeof incidentPostmortems.$inferSelect;

export const apiKeys = sqliteTable("api_keys", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  // SHA-256 of the secret part, hex. Keys are random, so a fast hash is enough.
  secretHash: text("secret_hash").notNull(),
  scopes: text("scopes", { mode: "json" }).$type<ApiScope[]>().notNull(),
  createdAt: createdAt(),
  lastUsedAt: integer("last_used_at"),
  revokedAt: integer("revoked_at"),
});

/**
 * Console sign-ins. The cookie carries a random id; only its SHA-256 is kept here, so a copy of the database (a
 * backup) opens no console. Signing out deletes the row, which ends the session on the server.
 */
export const adminSessions = sqliteTable(
  "admin_sessions",
  {
    idHash: text("id_hash").primaryKey(),
    apiKeyId: text("api_key_id")
      .notNull()
      .references(() => apiKeys.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [index("admin_sessions_api_key_idx").on(t.apiKeyId), index("admin_sessions_expires_idx").on(t.expiresAt)],
);

/** Responses to POSTs that carried an Idempotency-Key, replayed when the client retries. */
export const idempotencyKeys = sqliteTable(
  "idempotency_keys",
  {
    key: text("key").notNull(),
    apiKeyId: text("api_key_id").notNull(),
    fingerprint: text("fingerprint").notNull(),
    status: integer("status"),
    body: text("body"),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.apiKeyId, t.key] }), index("idempotency_created_idx").on(t.createdAt)],
);

export type PageSettings = typeof pageSettings.$inferSelect;
export type ComponentGroup = typeof componentGroups.$inferSelect;
export type Component = typeof components.$inferSelect;
export type Incident = typeof incidents.$inferSelect;
export type IncidentUpdate = typeof incidentUpdates.$inferSelect;
export type IncidentUpdateComponent = typeof incidentUpdateComponents.$inferSelect;
export type ApiKey = typeof apiKeys.$inferSelect;

// ——— Subscribers and notifications ———

export const subscribers = sqliteTable(
  "subscribers",
  {
    id: text("id").primaryKey(),
    email: text("email").notNull(),
    status: text("status", { enum: subscriberStatuses }).notNull(),
    // True: every component, now and later. False: only those in subscriber_components.
    allComponents: integer("all_components", { mode: "boolean" }).notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    confirmedAt: integer("confirmed_at"),
  },
  (t) => [uniqueIndex("subscribers_email_idx").on(t.email), index("subscribers_status_idx").on(t.status)],
);

export const subscriberComponents = sqliteTable(
  "subscriber_components",
  {
    subscriberId: text("subscriber_id")
      .notNull()
      .references(() => subscribers.id, { onDelete: "cascade" }),
    componentId: text("component_id")
      .notNull()
      .references(() => components.id, { onDelete: "cascade" }),
  },
  (t) => [
    primaryKey({ columns: [t.subscriberId, t.componentId] }),
    index("subscriber_components_component_idx").on(t.componentId),
  ],
);

/** Confirmation tokens: random, stored as a SHA-256 hash, single use, expiring. */
export const confirmationTokens = sqliteTable("confirmation_tokens", {
  tokenHash: text("token_hash").primaryKey(),
  subscriberId: text("subscriber_id")
    .notNull()
    .references(() => subscribers.id, { onDelete: "cascade" }),
  expiresAt: integer("expires_at").notNull(),
});

/**
 * The confirmation outbox: one row per confirmation link to send. Rows written together are chunked (up to 100) and
 * each chunk is sent with a stable idempotency key, as notifications are. A link's token is an HMAC of the row id,
 * so it is derived when the email is built and never stored in clear; `confirmation_tokens` keeps its hash.
 */
export const confirmationEmails = sqliteTable(
  "confirmation_emails",
  {
    id: text("id").primaryKey(),
    batch: text("batch").notNull(),
    chunk: integer("chunk").notNull(),
    subscriberId: text("subscriber_id")
      .notNull()
      .references(() => subscribers.id, { onDelete: "cascade" }),
    email: text("email").notNull(),
    status: text("status", { enum: deliveryStatuses }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    error: text("error"),
    /** The sender holding the chunk, or the chunk's backoff after a failed try, lasts until this time (UTC ms). */
    leaseUntil: integer("lease_until"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("confirmation_emails_pending_idx").on(t.status, t.batch, t.chunk)],
);

/** Secrets Marquee makes for itself on first start (the key that signs unsubscribe links). */
export const appSecrets = sqliteTable("app_secrets", {
  name: text("name").primaryKey(),
  value: text("value").notNull(),
});

/** Fixed-window counters that stop anyone from using the subscribe form to flood an inbox. */
export const rateLimits = sqliteTable("rate_limits", {
  key: text("key").primaryKey(),
  windowStart: integer("window_start").notNull(),
  count: integer("count").notNull(),
});

/**
 * One notification per update that notifies. Its recipients go into `deliveries` in slices of subscribers, in
 * subscriber order: the first in the same write, the rest right after, one slice per write (outbox.ts).
 */
export const notifications = sqliteTable(
  "notifications",
  {
    id: text("id").primaryKey(),
    incidentId: text("incident_id")
      .notNull()
      .references(() => incidents.id, { onDelete: "cascade" }),
    updateId: text("update_id")
      .notNull()
      .references(() => incidentUpdates.id, { onDelete: "cascade" }),
    createdAt: createdAt(),
    /** The last subscriber id queued while more recipients may follow; null once every recipient is queued. */
    recipientsAfter: text("recipients_after"),
    /** How many recipients are queued so far (a multiple of the chunk size until the last slice). */
    recipientsQueued: integer("recipients_queued").notNull().default(0),
  },
  (t) => [
    index("notifications_created_idx").on(t.createdAt),
    index("notifications_filling_idx")
      .on(t.createdAt)
      .where(sql`${t.recipientsAfter} is not null`),
  ],
);

/** The outbox: one row per recipient, in chunks of at most 100 that are sent with a stable idempotency key. */
export const deliveries = sqliteTable(
  "deliveries",
  {
    notificationId: text("notification_id")
      .notNull()
      .references(() => notifications.id, { onDelete: "cascade" }),
    subscriberId: text("subscriber_id").notNull(),
    email: text("email").notNull(),
    chunk: integer("chunk").notNull(),
    status: text("status", { enum: deliveryStatuses }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    providerId: text("provider_id"),
    error: text("error"),
    updatedAt: integer("updated_at"),
    /**
     * Where several senders may run at once (Workers invocations), the one sending a chunk holds it until this time
     * (UTC ms), so others skip it. A lease that runs out (the holder was stopped) frees the chunk for the next.
     */
    leaseUntil: integer("lease_until"),
  },
  (t) => [
    primaryKey({ columns: [t.notificationId, t.subscriberId] }),
    index("deliveries_pending_idx").on(t.status, t.notificationId, t.chunk),
  ],
);

export type Subscriber = typeof subscribers.$inferSelect;
export type Delivery = typeof deliveries.$inferSelect;

/** Provider webhook deliveries already handled, by their id: the same event may arrive more than once. */
export const receivedWebhooks = sqliteTable("received_webhooks", {
  id: text("id").primaryKey(),
  receivedAt: integer("received_at").notNull(),
});

/** Staff-registered URLs that receive incident and component changes as Statuspage-format JSON, signed. */
export const webhookEndpoints = sqliteTable("webhook_endpoints", {
  id: text("id").primaryKey(),
  url: text("url").notNull(),
  description: text("description"),
  // The HMAC-SHA256 key for the X-Marquee-Signature header; shown to staff once, at creation.
  secret: text("secret").notNull(),
  createdAt: createdAt(),
});

/** The webhook outbox: one row per endpoint and change, retried with backoff until it lands or gives up. */
export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    id: text("id").primaryKey(),
    endpointId: text("endpoint_id")
      .notNull()
      .references(() => webhookEndpoints.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: ["incident", "component"] }).notNull(),
    subjectId: text("subject_id").notNull(),
    oldStatus: text("old_status", { enum: componentStatuses }),
    newStatus: text("new_status", { enum: componentStatuses }),
    status: text("status", { enum: deliveryStatuses }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: integer("next_attempt_at").notNull(),
    lastError: text("last_error"),
    createdAt: createdAt(),
  },
  (t) => [index("webhook_deliveries_due_idx").on(t.status, t.nextAttemptAt)],
);

/**
 * Published pages on Workers, where there is no disk: the same documents the Node server keeps as files. A row is
 * only replaced by a rendering from newer data (`rendered_at`), so two publishes racing never leave the older one.
 */
export const publishedPages = sqliteTable("published_pages", {
  path: text("path").primaryKey(),
  contentType: text("content_type").notNull(),
  etag: text("etag").notNull(),
  body: blob("body", { mode: "buffer" }).notNull(),
  gzip: blob("gzip", { mode: "buffer" }).notNull(),
  br: blob("br", { mode: "buffer" }).notNull(),
  /** When the data this page shows was read (UTC ms). */
  renderedAt: integer("rendered_at").notNull(),
});

/**
 * The order of publishes on Workers (one row): a hybrid clock that D1 itself advances, so a publish that read its
 * data later always carries a larger `rendered_at`. An isolate's own clock cannot order them: workerd holds
 * Date.now() still between I/O, so two invocations racing can read their clocks in the opposite order.
 */
export const publishClock = sqliteTable("publish_clock", {
  id: integer("id").primaryKey(),
  stamp: integer("stamp").notNull(),
});

/** Where the published set stands (one row): the Workers counterpart of the Node store's marker file. */
export const publishMarker = sqliteTable("publish_marker", {
  id: integer("id").primaryKey(),
  marker: text("marker").notNull(),
});

/**
 * Every backup Marquee took of its own database and what checking it found: `ok` with the checks passed, or the
 * reason it failed. `alerted_at` is when a failed one's staff alert was queued (in the same write as the backup).
 */
export const backups = sqliteTable(
  "backups",
  {
    id: text("id").primaryKey(),
    takenAt: integer("taken_at").notNull(),
    file: text("file").notNull(),
    size: integer("size").notNull(),
    sha256: text("sha256").notNull(),
    durationMs: integer("duration_ms").notNull(),
    ok: integer("ok", { mode: "boolean" }).notNull(),
    reason: text("reason"),
    /** The checks run on the copy, as JSON: integrity, foreign keys, row counts, restore drill, copy command. */
    checks: text("checks").notNull(),
    alertedAt: integer("alerted_at"),
  },
  (t) => [index("backups_taken_idx").on(t.takenAt)],
);
export type Backup = typeof backups.$inferSelect;

/**
 * Where staff alerts go (never subscribers): email addresses and webhook URLs, made through the API or listed in
 * STAFF_EMAILS. One destination per kind and target, so an address in STAFF_EMAILS and the API is told once. A
 * destination that refuses for good (a webhook answering 410) is disabled with the reason, not deleted.
 */
export const staffDestinations = sqliteTable(
  "staff_destinations",
  {
    id: text("id").primaryKey(),
    kind: text("kind", { enum: staffDestinationKinds }).notNull(),
    /** The address or the URL. */
    target: text("target").notNull(),
    name: text("name"),
    source: text("source", { enum: staffDestinationSources }).notNull(),
    /** A webhook's HMAC-SHA256 key, as for webhook_endpoints; shown to staff once, at creation. */
    secret: text("secret"),
    createdAt: createdAt(),
    disabledAt: integer("disabled_at"),
    disabledReason: text("disabled_reason"),
  },
  (t) => [uniqueIndex("staff_destinations_target_idx").on(t.kind, t.target)],
);
export type StaffDestination = typeof staffDestinations.$inferSelect;

/** One event staff must hear about. `key` names the event: queued twice, it is still one alert. */
export const staffAlerts = sqliteTable(
  "staff_alerts",
  {
    id: text("id").primaryKey(),
    key: text("key").notNull(),
    kind: text("kind").notNull(),
    subject: text("subject").notNull(),
    text: text("text").notNull(),
    link: text("link"),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("staff_alerts_key_idx").on(t.key), index("staff_alerts_created_idx").on(t.createdAt)],
);
export type StaffAlert = typeof staffAlerts.$inferSelect;

/** The staff alert outbox: one row per alert and destination, fixed when the alert is queued, retried with backoff. */
export const staffAlertDeliveries = sqliteTable(
  "staff_alert_deliveries",
  {
    id: text("id").primaryKey(),
    alertId: text("alert_id")
      .notNull()
      .references(() => staffAlerts.id, { onDelete: "cascade" }),
    destinationId: text("destination_id")
      .notNull()
      .references(() => staffDestinations.id, { onDelete: "cascade" }),
    status: text("status", { enum: deliveryStatuses }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: integer("next_attempt_at").notNull(),
    lastError: text("last_error"),
    sentAt: integer("sent_at"),
  },
  (t) => [
    uniqueIndex("staff_alert_deliveries_once_idx").on(t.alertId, t.destinationId),
    index("staff_alert_deliveries_due_idx").on(t.status, t.nextAttemptAt),
    index("staff_alert_deliveries_destination_idx").on(t.destinationId),
  ],
);
export type StaffAlertDelivery = typeof staffAlertDeliveries.$inferSelect;

/**
 * Every staff change: who, what, when, and the before/after of status fields (other changes list the names of the
 * fields they touched, never their values, so no key, secret or webhook URL lands here). Written in the same
 * transaction or batch as the change it records; the app never deletes a row (docs/security.md, "Audit log").
 */
export const auditLog = sqliteTable(
  "audit_log",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    at: integer("at").notNull(),
    actorKind: text("actor_kind", { enum: auditActorKinds }).notNull(),
    /** The API key that made the change, or that signed in to the console; null for Marquee itself. */
    actorKeyId: text("actor_key_id"),
    /** The key's name when the change was made: names can be reused, ids cannot. */
    actorName: text("actor_name").notNull(),
    resourceType: text("resource_type").notNull(),
    resourceId: text("resource_id"),
    action: text("action").notNull(),
    before: text("before", { mode: "json" }).$type<Record<string, unknown>>(),
    after: text("after", { mode: "json" }).$type<Record<string, unknown>>(),
    fields: text("fields", { mode: "json" }).$type<string[]>().notNull().default([]),
  },
  (t) => [
    index("audit_log_at_idx").on(t.at, t.id),
    index("audit_log_resource_idx").on(t.resourceType, t.resourceId, t.id),
  ],
);
export type AuditRow = typeof auditLog.$inferSelect;

/**
 * A monitor: a check Marquee runs on a schedule (`check` holds its type and settings, api/monitors/check-types.ts),
 * the thresholds that turn results into a state, and what a change of state does to a component. `recent` keeps the
 * last results' levels ("0" up, "1" degraded, "2" down; newest last) for the thresholds. `next_check_at` is also the
 * claim: a runner moves it forward before checking, so no monitor is checked twice at once, on either runtime.
 */
export const monitors = sqliteTable(
  "monitors",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    type: text("type").notNull(),
    check: text("check", { mode: "json" }).$type<Record<string, unknown>>().notNull(),
    intervalSeconds: integer("interval_seconds").notNull(),
    timeoutMs: integer("timeout_ms").notNull(),
    failureThreshold: integer("failure_threshold").notNull(),
    successThreshold: integer("success_threshold").notNull(),
    componentId: text("component_id").references(() => components.id, { onDelete: "set null" }),
    downStatus: text("down_status", { enum: componentStatuses }).notNull(),
    incidentMode: text("incident_mode", { enum: automaticIncidentModes }).notNull(),
    notify: integer("notify", { mode: "boolean" }).notNull(),
    /** Shows a response-time chart beside the component on the status page. */
    showChart: integer("show_chart", { mode: "boolean" }).notNull().default(false),
    paused: integer("paused", { mode: "boolean" }).notNull().default(false),
    state: text("state", { enum: monitorStates }).notNull(),
    /** The component status the current state stands for (a provider's own status for `statuspage` monitors). */
    stateStatus: text("state_status", { enum: componentStatuses }),
    stateChangedAt: integer("state_changed_at"),
    recent: text("recent").notNull().default(""),
    lastCheckedAt: integer("last_checked_at"),
    lastResponseMs: integer("last_response_ms"),
    lastMessage: text("last_message"),
    nextCheckAt: integer("next_check_at").notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("monitors_due_idx").on(t.paused, t.nextCheckAt)],
);
export type Monitor = typeof monitors.$inferSelect;

/** Each check's result, kept 48 hours. `level`: 0 up, 1 degraded, 2 down. */
export const monitorResults = sqliteTable(
  "monitor_results",
  {
    monitorId: text("monitor_id")
      .notNull()
      .references(() => monitors.id, { onDelete: "cascade" }),
    at: integer("at").notNull(),
    level: integer("level").notNull(),
    responseMs: integer("response_ms"),
    message: text("message"),
  },
  (t) => [index("monitor_results_idx").on(t.monitorId, t.at), index("monitor_results_at_idx").on(t.at)],
);

/** One hour of a monitor's results, kept 90 days. */
export const monitorRollups = sqliteTable(
  "monitor_rollups",
  {
    monitorId: text("monitor_id")
      .notNull()
      .references(() => monitors.id, { onDelete: "cascade" }),
    hour: integer("hour").notNull(),
    checks: integer("checks").notNull(),
    degraded: integer("degraded").notNull(),
    down: integer("down").notNull(),
    /** Sum and count of the response times measured, for the mean; and the slowest. */
    responseMsSum: integer("response_ms_sum").notNull(),
    responseCount: integer("response_count").notNull(),
    responseMsMax: integer("response_ms_max"),
  },
  (t) => [primaryKey({ columns: [t.monitorId, t.hour] })],
);

/**
 * What each automatic source (a monitor, a heartbeat, an alert by its fingerprint) last concluded and did: the
 * component status it set (null when it changed nothing, e.g. because staff had set the component themselves) and
 * the incident or draft it opened. Recovery undoes only what is recorded here and still stands (api/automation).
 */
export const automaticStates = sqliteTable(
  "automatic_states",
  {
    sourceKind: text("source_kind", { enum: automaticSourceKinds }).notNull(),
    sourceId: text("source_id").notNull(),
    componentId: text("component_id").references(() => components.id, { onDelete: "set null" }),
    problem: integer("problem", { mode: "boolean" }).notNull(),
    /** The status this source asks for while it has a problem. */
    wantedStatus: text("wanted_status", { enum: componentStatuses }),
    /** The status it set on the component, while that still stands to its knowledge. */
    setStatus: text("set_status", { enum: componentStatuses }),
    incidentId: text("incident_id").references(() => incidents.id, { onDelete: "set null" }),
    draftId: text("draft_id"),
    changedAt: integer("changed_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.sourceKind, t.sourceId] }),
    index("automatic_states_component_idx").on(t.componentId),
  ],
);
export type AutomaticState = typeof automaticStates.$inferSelect;

/** An incident a detection prepared for staff to publish (a monitor's `"incident": "draft"`). */
export const incidentDrafts = sqliteTable("incident_drafts", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  body: text("body").notNull(),
  components: text("components", { mode: "json" }).$type<Record<string, ComponentStatus>>().notNull(),
  notify: integer("notify", { mode: "boolean" }).notNull(),
  sourceKind: text("source_kind", { enum: automaticSourceKinds }).notNull(),
  sourceId: text("source_id").notNull(),
  createdAt: createdAt(),
});
export type IncidentDraft = typeof incidentDrafts.$inferSelect;

/**
 * Saved incident templates: what staff start an incident from (name, first update, status, affected components and
 * their statuses, whether to notify). Components are kept as a JSON map; one deleted later is dropped when used.
 */
export const incidentTemplates = sqliteTable("incident_templates", {
  id: text("id").primaryKey(),
  name: text("name").notNull().unique(),
  title: text("title").notNull(),
  body: text("body").notNull(),
  status: text("status", { enum: incidentStatuses }).notNull(),
  components: text("components", { mode: "json" }).$type<Record<string, ComponentStatus>>().notNull(),
  notify: integer("notify", { mode: "boolean" }).notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});
export type IncidentTemplate = typeof incidentTemplates.$inferSelect;

/**
 * The last word each alert (by its source and fingerprint) had: a repeated delivery changes nothing, and a delivery
 * that comes late (a resolution of an older firing, a firing after its own resolution) is told apart by `starts_at`
 * (api/alerts/receive-alerts.ts). Resolved rows are pruned after 30 days.
 */
export const receivedAlerts = sqliteTable(
  "received_alerts",
  {
    source: text("source", { enum: alertSources }).notNull(),
    fingerprint: text("fingerprint").notNull(),
    componentId: text("component_id").references(() => components.id, { onDelete: "set null" }),
    status: text("status", { enum: ["firing", "resolved"] }).notNull(),
    startsAt: integer("starts_at").notNull(),
    endsAt: integer("ends_at"),
    /** The alert's labels, values cut to 200 characters and 4 KB in all. */
    labels: text("labels", { mode: "json" }).$type<Record<string, string>>().notNull(),
    summary: text("summary"),
    updatedAt: updatedAt(),
  },
  (t) => [
    primaryKey({ columns: [t.source, t.fingerprint] }),
    index("received_alerts_prune_idx").on(t.status, t.updatedAt),
  ],
);
export type ReceivedAlert = typeof receivedAlerts.$inferSelect;

/**
 * A heartbeat: a job (a backup, a cron job) that pings its secret URL when it runs. Only the SHA-256 of the URL's
 * token is kept. `due_at` is when the tick must look at it next: its `down_at`, or at once when a ping changed what
 * automation was last told, so one indexed query finds the heartbeats whose time has come. `reported` is what
 * automation was last told: true while it reports a problem.
 */
export const heartbeats = sqliteTable(
  "heartbeats",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    tokenHash: text("token_hash").notNull(),
    /** Either a period in seconds, or a 5-field cron schedule read in `time_zone`. */
    periodSeconds: integer("period_seconds"),
    schedule: text("schedule"),
    timeZone: text("time_zone").notNull(),
    graceSeconds: integer("grace_seconds").notNull(),
    componentId: text("component_id").references(() => components.id, { onDelete: "set null" }),
    downStatus: text("down_status", { enum: componentStatuses }).notNull(),
    incidentMode: text("incident_mode", { enum: automaticIncidentModes }).notNull(),
    notify: integer("notify", { mode: "boolean" }).notNull(),
    paused: integer("paused", { mode: "boolean" }).notNull().default(false),
    status: text("status", { enum: heartbeatStatuses }).notNull(),
    /** Why it is down, for the staff ("exit code 2", "no ping since …"). */
    downReason: text("down_reason"),
    lastPingAt: integer("last_ping_at"),
    /** A start not yet followed by a success or a failure. */
    lastStartAt: integer("last_start_at"),
    /** When it turns late, and down, without a ping; null when no ping is awaited (new, paused, down). */
    lateAt: integer("late_at"),
    downAt: integer("down_at"),
    dueAt: integer("due_at"),
    reported: integer("reported", { mode: "boolean" }).notNull().default(false),
    /** Why telling automation failed last time (it is tried again a minute later); null once it worked. */
    reportError: text("report_error"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("heartbeats_token_idx").on(t.tokenHash), index("heartbeats_due_idx").on(t.dueAt)],
);
export type Heartbeat = typeof heartbeats.$inferSelect;

/** The last pings of each heartbeat (50 are kept), for the staff to see what the job sent and from where. */
export const heartbeatPings = sqliteTable(
  "heartbeat_pings",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    heartbeatId: text("heartbeat_id")
      .notNull()
      .references(() => heartbeats.id, { onDelete: "cascade" }),
    at: integer("at").notNull(),
    kind: text("kind", { enum: heartbeatPingKinds }).notNull(),
    exitCode: integer("exit_code"),
    method: text("method").notNull(),
    clientAddress: text("client_address").notNull(),
    userAgent: text("user_agent"),
    /** The first 10 KB of a POST body: the job's output, say. */
    body: text("body"),
    /** Sent while the heartbeat was paused: recorded, and changed nothing. */
    ignored: integer("ignored", { mode: "boolean" }).notNull().default(false),
  },
  (t) => [index("heartbeat_pings_idx").on(t.heartbeatId, t.id)],
);
export type HeartbeatPing = typeof heartbeatPings.$inferSelect;

// ——— Chat channels (Slack, Teams, Discord, Google Chat) ———

/**
 * A chat channel that receives incident updates through its incoming-webhook URL: a customer's subscription or a
 * staff broadcast channel. The URL is the channel's only credential; it is never shown back in full.
 */
export const chatChannels = sqliteTable(
  "chat_channels",
  {
    id: text("id").primaryKey(),
    platform: text("platform", { enum: chatPlatforms }).notNull(),
    url: text("url").notNull(),
    purpose: text("purpose", { enum: chatChannelPurposes }).notNull(),
    status: text("status", { enum: chatChannelStatuses }).notNull(),
    name: text("name"),
    // True: every component, now and later. False: only those in chat_channel_components.
    allComponents: integer("all_components", { mode: "boolean" }).notNull(),
    /** SHA-256 of the pending confirmation token and when it stops working; null once confirmed. */
    confirmTokenHash: text("confirm_token_hash"),
    confirmExpiresAt: integer("confirm_expires_at"),
    confirmedAt: integer("confirmed_at"),
    /** The platform asked to wait (429): no post to this channel before this time (UTC ms). */
    notBefore: integer("not_before"),
    /** The first failure of the current run of failures; null after a post lands. */
    failingSince: integer("failing_since"),
    disabledAt: integer("disabled_at"),
    disabledReason: text("disabled_reason"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("chat_channels_url_idx").on(t.platform, t.url), index("chat_channels_status_idx").on(t.status)],
);
export type ChatChannel = typeof chatChannels.$inferSelect;

export const chatChannelComponents = sqliteTable(
  "chat_channel_components",
  {
    channelId: text("channel_id")
      .notNull()
      .references(() => chatChannels.id, { onDelete: "cascade" }),
    componentId: text("component_id")
      .notNull()
      .references(() => components.id, { onDelete: "cascade" }),
  },
  (t) => [
    primaryKey({ columns: [t.channelId, t.componentId] }),
    index("chat_channel_components_component_idx").on(t.componentId),
  ],
);

/**
 * The chat outbox: one row per message and channel, fixed in the same write as the update (or the subscription, for
 * its confirmation). `posting` is written before the request and `sent` after the answer.
 */
export const chatPosts = sqliteTable(
  "chat_posts",
  {
    id: text("id").primaryKey(),
    channelId: text("channel_id")
      .notNull()
      .references(() => chatChannels.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: chatPostKinds }).notNull(),
    incidentId: text("incident_id").references(() => incidents.id, { onDelete: "cascade" }),
    updateId: text("update_id").references(() => incidentUpdates.id, { onDelete: "cascade" }),
    /** A reminder's notification, which says which reminder it is; null for other posts. */
    notificationId: text("notification_id"),
    status: text("status", { enum: chatPostStatuses }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: integer("next_attempt_at").notNull(),
    /** Set with `posting`: a post still `posting` after this time (UTC ms) was cut off by a crash. */
    leaseUntil: integer("lease_until"),
    lastError: text("last_error"),
    sentAt: integer("sent_at"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("chat_posts_once_idx").on(t.channelId, t.updateId),
    index("chat_posts_due_idx").on(t.status, t.nextAttemptAt),
    index("chat_posts_channel_idx").on(t.channelId),
  ],
);
export type ChatPost = typeof chatPosts.$inferSelect;

// ——— Maintenance reminders and recurring windows ———

/** How long before a maintenance's start its subscribers may be reminded (Statuspage's `reminder_intervals`). */
export const reminderIntervals = ["72h", "24h", "1h"] as const;
export type ReminderInterval = (typeof reminderIntervals)[number];
/** How often a recurring maintenance repeats, at the same local time in the page's time zone. */
export const repeatEvery = ["week", "month"] as const;
export type RepeatEvery = (typeof repeatEvery)[number];

/** The reminders staff chose for a maintenance: one row per interval. */
export const maintenanceReminders = sqliteTable(
  "maintenance_reminders",
  {
    maintenanceId: text("maintenance_id")
      .notNull()
      .references(() => incidents.id, { onDelete: "cascade" }),
    interval: text("interval", { enum: reminderIntervals }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.maintenanceId, t.interval] })],
);

/**
 * A reminder the tick has dealt with: sent (with its notification) or skipped because its moment passed. The row is
 * inserted in the same write that queues the notification, and its primary key makes a second runner's write fail as a
 * whole, so a reminder is queued at most once whatever races it.
 */
export const maintenanceRemindersDone = sqliteTable(
  "maintenance_reminders_done",
  {
    maintenanceId: text("maintenance_id")
      .notNull()
      .references(() => incidents.id, { onDelete: "cascade" }),
    interval: text("interval", { enum: reminderIntervals }).notNull(),
    /** Null for a skipped reminder. */
    notificationId: text("notification_id"),
    skipped: integer("skipped", { mode: "boolean" }).notNull(),
    at: integer("at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.maintenanceId, t.interval] }),
    index("maintenance_reminders_done_notification_idx").on(t.notificationId),
  ],
);

/** A recurring maintenance: what each occurrence is made from. */
export const maintenanceSeries = sqliteTable("maintenance_series", {
  id: text("id").primaryKey(),
  every: text("every", { enum: repeatEvery }).notNull(),
  name: text("name").notNull(),
  body: text("body"),
  components: text("components", { mode: "json" }).$type<string[]>().notNull(),
  /** The first occurrence's local date (YYYY-MM-DD) and time (HH:MM) in the page's time zone. */
  firstDate: text("first_date").notNull(),
  localTime: text("local_time").notNull(),
  durationMs: integer("duration_ms").notNull(),
  /** The last local date an occurrence may fall on, inclusive. */
  until: text("until"),
  /** How many occurrences in all. */
  count: integer("count"),
  reminders: text("reminders", { mode: "json" }).$type<ReminderInterval[]>().notNull(),
  autoTransition: integer("auto_transition", { mode: "boolean" }).notNull(),
  notify: integer("notify", { mode: "boolean" }).notNull(),
  createdAt: createdAt(),
  stoppedAt: integer("stopped_at"),
});
export type MaintenanceSeries = typeof maintenanceSeries.$inferSelect;

/**
 * The occurrences made so far, by number (0 is the first). The primary key makes each occurrence's write fail as a
 * whole for a second runner, so every occurrence becomes exactly one maintenance. A maintenance deleted by staff
 * leaves its row (maintenance_id null), so it is not made again.
 */
export const maintenanceOccurrences = sqliteTable(
  "maintenance_occurrences",
  {
    seriesId: text("series_id")
      .notNull()
      .references(() => maintenanceSeries.id, { onDelete: "cascade" }),
    number: integer("number").notNull(),
    maintenanceId: text("maintenance_id").references(() => incidents.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.seriesId, t.number] }),
    index("maintenance_occurrences_maintenance_idx").on(t.maintenanceId),
  ],
);
