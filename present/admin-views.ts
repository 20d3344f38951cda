import type { Component, UpdateStatus } from "@/db/schema";
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
