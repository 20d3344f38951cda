import type { AuditRow, Component, ComponentGroup, ComponentStatus, IncidentStatus, UpdateStatus } from "@/db/schema";
import type { ChatChannelStatus, subscriberStatuses } from "@/db/vocabulary";
import type { BackupSummary } from "./backups";
import type { Tone } from "./labels";
import type { IncidentView, PageInfo } from "./views";

/** The staff console's pages: what they show, given to them whole. */

export type SubscriberStatus = (typeof subscriberStatuses)[number];

/** How one notification's deliveries stand. */
export type DeliveryProgress = {
  id: string;
  incident_id: string;
  update_id: string;
  created_at: string;
  recipients: number;
  /** Recipients are still being queued (a few at a time, right after the write): `recipients` will grow. */
  queuing: boolean;
  sent: number;
  pending: number;
  failed: number;
  errors: { status: string; error: string | null; count: number }[];
};

/** What the staff console's dashboard shows; the page renders it and fetches nothing. */
export type AdminDashboard = {
  page: PageInfo;
  components: (Component & { group: string | null })[];
  incidents: IncidentView[];
  maintenances: IncidentView[];
  /** The recurring maintenance each open maintenance belongs to, by maintenance id, for those in one. */
  seriesOf: Record<string, string>;
  subscribers: Record<SubscriberStatus, number>;
  lastNotification: DeliveryProgress | null;
  /** The last backup of the database, and whether it needs the staff's attention. */
  backup: BackupSummary;
  /** The template body of each status, to start the staff's text from. */
  templates: Record<UpdateStatus, string>;
  /** The clock's reading, so that the page shows default times without reading a clock itself. */
  now: number;
};

/** A refused form: which one, why, and what was typed into it. */
export type FormError = { form: string; message: string; values: Record<string, string[]> } | null;

/** What every signed-in console page shows besides its own content. */
export type ConsoleChrome = {
  page: PageInfo;
  csrf: string;
  /** The key that signed in has the admin scope: settings, API keys and subscribers are open to it. */
  admin: boolean;
  flash: string | null;
};

/** The fields of a new incident, as a saved template fills them in. */
export type IncidentPrefill = {
  templateId: string;
  name: string;
  body: string;
  status: IncidentStatus;
  components: Record<string, ComponentStatus>;
  notify: boolean;
};

/** The dashboard as the console page receives it. */
export type AdminConsoleView = AdminDashboard &
  ConsoleChrome & {
    error: FormError;
    /** The saved templates the new-incident form can start from, and the one chosen (`?template=`), if any. */
    incidentTemplates: { id: string; name: string }[];
    prefill: IncidentPrefill | null;
    automatic: AutomaticSummary;
    /** The latest resolved incidents, each linking to its console page (its postmortem). */
    closedIncidents: { id: string; name: string; status: UpdateStatus; resolvedAt: number | null }[];
  };

export type ComponentWithGroup = Component & { group: string | null };

/** The components page: groups and components in page order, to create, edit, move and delete. */
export type AdminComponentsView = ConsoleChrome & {
  error: FormError;
  groups: ComponentGroup[];
  /** Top-level rows in page order; a group carries its components in their order. */
  rows: (
    { type: "group"; group: ComponentGroup; components: Component[] } | { type: "component"; component: Component }
  )[];
};

/** A confirmation step before a change that cannot be undone. */
export type AdminConfirmView = ConsoleChrome & {
  title: string;
  message: string;
  action: string;
  button: string;
  back: string;
};

export type AdminSettingsView = ConsoleChrome & {
  error: FormError;
  settings: { name: string; url: string; timeZone: string };
  /** SITE_URL, when set: it wins over the URL stored here. */
  siteUrl: string | null;
  timeZones: string[];
};

export type ApiKeyRow = {
  id: string;
  name: string;
  scopes: string[];
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
  /** The key this console session signed in with. */
  current: boolean;
};

export type AdminApiKeysView = ConsoleChrome & {
  error: FormError;
  keys: ApiKeyRow[];
  /** Only on the answer to the form that created it: the full key, shown this once. */
  created: { name: string; key: string } | null;
};

/** One subscriber as the console lists it: never a token or a manage link. */
export type SubscriberRow = {
  id: string;
  email: string;
  status: SubscriberStatus;
  createdAt: number;
  confirmedAt: number | null;
  /** "all", or how many components the subscriber chose. */
  components: "all" | number;
};

/** A customer's chat channel as the console lists it: never its full URL, which is the channel's secret. */
export type ChatSubscriberRow = {
  id: string;
  platform: string;
  /** The URL's host and its last 4 characters only (maskWebhookUrl). */
  maskedUrl: string;
  status: ChatChannelStatus;
  createdAt: number;
  components: "all" | number;
  disabledReason: string | null;
};

export type AdminSubscribersView = ConsoleChrome & {
  error: FormError;
  /** Customers' chat channels, paged on their own (`chat_offset`). */
  chat: {
    rows: ChatSubscriberRow[];
    total: number;
    offset: number;
    previousQuery: string | null;
    nextQuery: string | null;
  };
  search: string;
  status: SubscriberStatus | null;
  rows: SubscriberRow[];
  total: number;
  offset: number;
  /** This page's query string, posted back by the remove buttons so that the list stays where it was. */
  query: string;
  /** Query strings of the neighbouring pages, or null at either end. */
  previousQuery: string | null;
  nextQuery: string | null;
};

export type IncidentTemplateRow = {
  id: string;
  name: string;
  title: string;
  body: string;
  status: IncidentStatus;
  components: Record<string, ComponentStatus>;
  notify: boolean;
};

export type AdminTemplatesView = ConsoleChrome & {
  error: FormError;
  templates: IncidentTemplateRow[];
  components: ComponentWithGroup[];
  /** The template being edited (`/admin/templates/{id}`), or null for the list with the new-template form. */
  editing: IncidentTemplateRow | null;
  /** The template body of each status, shown as the default text. */
  bodies: Record<UpdateStatus, string>;
};

export type AdminNoticeView = { page: PageInfo; title: string; message: string; csrf?: string | null };
export type AdminLoginView = {
  page: PageInfo;
  message: string | null;
  /** Reached over plain HTTP under a name other than localhost: the session cookie would be dropped. */
  insecure: boolean;
};

/** One audit row as the console's audit page shows it. */
export type AuditEntryView = {
  id: number;
  at: number;
  actor: string;
  resource: string;
  action: string;
  /** Status fields as "field: before → after", then the other fields touched, by name. */
  changes: string[];
};

export type AdminAuditView = Pick<ConsoleChrome, "page" | "csrf"> &
  Partial<Pick<ConsoleChrome, "admin" | "flash">> & {
    entries: AuditEntryView[];
    /** The filter in force, to keep it in the form and the next page's link. */
    resourceType: string | null;
    /** The query string of the next (older) page, or null on the last one. */
    nextQuery: string | null;
  };

const actorKinds: Record<string, string> = { api_key: "API key", console: "Console", system: "Marquee" };

const shown = (v: unknown) =>
  v === null || v === undefined ? "—" : typeof v === "object" ? JSON.stringify(v) : String(v);

/** Flattens `{components: {id: status}}` into `components.id`, so each status change reads on its own line. */
const flat = (o: Record<string, unknown> | null): Record<string, unknown> =>
  Object.fromEntries(
    Object.entries(o ?? {}).flatMap(([k, v]) =>
      v !== null && typeof v === "object" && !Array.isArray(v)
        ? Object.entries(v).map(([k2, v2]) => [`${k}.${k2}`, v2])
        : [[k, v]],
    ),
  );

export function auditEntryView(row: AuditRow): AuditEntryView {
  const before = flat(row.before);
  const after = flat(row.after);
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  const changes = keys.map((k) =>
    k in before && k in after
      ? `${k}: ${shown(before[k])} → ${shown(after[k])}`
      : k in after
        ? `${k}: ${shown(after[k])}`
        : `${k} was ${shown(before[k])}`,
  );
  if (row.fields.length > 0) changes.push(`fields: ${row.fields.join(", ")}`);
  const key = row.actorKeyId ? ` (${row.actorKeyId})` : "";
  return {
    id: row.id,
    at: row.at,
    actor: `${actorKinds[row.actorKind] ?? row.actorKind}: ${row.actorName}${key}`,
    resource: row.resourceId ? `${row.resourceType} ${row.resourceId}` : row.resourceType,
    action: row.action,
    changes,
  };
}

/** A monitor's or heartbeat's state as the console shows it: a tone (colour and icon) and words. */
export type SourceState = { tone: Tone; label: string };

export const monitorStates: Record<string, SourceState> = {
  pending: { tone: "maintenance", label: "Waiting for its first check" },
  up: { tone: "ok", label: "Up" },
  degraded: { tone: "minor", label: "Degraded" },
  down: { tone: "critical", label: "Down" },
  paused: { tone: "maintenance", label: "Paused" },
};

export const heartbeatStates: Record<string, SourceState> = {
  new: { tone: "maintenance", label: "No ping yet" },
  up: { tone: "ok", label: "Up" },
  late: { tone: "minor", label: "Late" },
  down: { tone: "critical", label: "Down" },
  paused: { tone: "maintenance", label: "Paused" },
};

/** One monitor as the console lists it. Header values never reach a page: only their names. */
export type MonitorRow = {
  id: string;
  name: string;
  type: string;
  target: string;
  component: string | null;
  state: SourceState;
  paused: boolean;
  lastCheckedAt: number | null;
  lastResponseMs: number | null;
  lastMessage: string | null;
  nextCheckAt: number | null;
};

/** A monitor's settings, in the API's field names, as its edit form shows them (headers: names only). */
export type MonitorSettings = {
  fields: Record<string, string | number | boolean | null | undefined>;
  headerNames: string[];
};

export type MonitorResultRow = {
  at: number;
  outcome: "up" | "degraded" | "down";
  responseMs: number | null;
  message: string | null;
};

export type AdminMonitorsView = ConsoleChrome & {
  error: FormError;
  monitors: MonitorRow[];
  components: { id: string; name: string }[];
  /** The monitor page (`/admin/monitors/{id}`): its row, settings and last results; null on the list. */
  monitor: { row: MonitorRow; settings: MonitorSettings; results: MonitorResultRow[] } | null;
};

export type HeartbeatRow = {
  id: string;
  name: string;
  state: SourceState;
  paused: boolean;
  lastPingAt: number | null;
  /** "every 1 d, grace 1 h" or "schedule "0 3 * * *" in Europe/Berlin, grace 1 h". */
  timing: string;
  component: string | null;
  downReason: string | null;
};

export type HeartbeatPingRow = { at: number; kind: string; exitCode: number | null; method: string; ignored: boolean };

export type AdminHeartbeatsView = ConsoleChrome & {
  error: FormError;
  heartbeats: HeartbeatRow[];
  components: { id: string; name: string }[];
  /** Only on the answer to the form that created or rotated it: the ping URL, shown this once. */
  pingUrl: { name: string; url: string } | null;
  /** The heartbeat page (`/admin/heartbeats/{id}`): its row and last pings; null on the list. */
  heartbeat: { row: HeartbeatRow; pings: HeartbeatPingRow[] } | null;
};

export type StaffDestinationRow = {
  id: string;
  kind: string;
  target: string;
  name: string | null;
  fromConfig: boolean;
  disabledReason: string | null;
};

export type StaffAlertRow = {
  id: string;
  subject: string;
  createdAt: number;
  deliveries: { destination: string; status: string; attempts: number; lastError: string | null }[];
};

export type AdminStaffAlertsView = ConsoleChrome & {
  error: FormError;
  destinations: StaffDestinationRow[];
  alerts: StaffAlertRow[];
  /** Only on the answer to the form that added a webhook: its signing secret, shown this once. */
  secret: { target: string; secret: string } | null;
};

/** The dashboard's automatic-status box and the drafts waiting for staff. */
export type AutomaticSummary = {
  drafts: { id: string; name: string; components: string[]; createdAt: number }[];
  monitors: { down: number; degraded: number; total: number };
  heartbeats: { late: number; down: number; total: number };
};

/** The console's page of one incident: what it is, and its postmortem to write, publish or unpublish. */
export type AdminIncidentView = ConsoleChrome & {
  error: FormError;
  incident: { id: string; name: string; status: UpdateStatus; startedAt: number; resolvedAt: number | null };
  /** A postmortem can be written: the incident is resolved (or already in postmortem). */
  closed: boolean;
  postmortem: {
    draft: string | null;
    draftSavedAt: number | null;
    publishedBody: string | null;
    publishedAt: number | null;
    notifiedAt: number | null;
  };
};

/** The console's chat channels page: broadcast channels and chat alert destinations, URLs masked. */
export type AdminChannelsView = ConsoleChrome & {
  error: FormError;
  channels: {
    id: string;
    type: string;
    typeLabel: string;
    purpose: "broadcast" | "alerts";
    name: string | null;
    url: string;
    components: string;
    status: "active" | "disabled";
    disabledReason: string | null;
    lastError: string | null;
  }[];
  platforms: { value: string; label: string }[];
  components: { id: string; name: string }[];
};
