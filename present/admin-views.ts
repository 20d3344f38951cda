import type { AuditRow, Component, UpdateStatus } from "@/db/schema";
import type { subscriberStatuses } from "@/db/vocabulary";
import type { BackupSummary } from "./backups";
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
  subscribers: Record<SubscriberStatus, number>;
  lastNotification: DeliveryProgress | null;
  /** The last backup of the database, and whether it needs the staff's attention. */
  backup: BackupSummary;
  /** The template body of each status, to start the staff's text from. */
  templates: Record<UpdateStatus, string>;
  /** The clock's reading, so that the page shows default times without reading a clock itself. */
  now: number;
};

/** The dashboard as the console page receives it. */
export type AdminConsoleView = AdminDashboard & {
  csrf: string;
  flash: string | null;
  /** A refused form: which one, why, and what was typed into it. */
  error: { form: string; message: string; values: Record<string, string[]> } | null;
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

export type AdminAuditView = {
  page: PageInfo;
  csrf: string;
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
