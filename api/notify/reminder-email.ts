// A maintenance's reminder: the same email frame as an update's, completed per recipient by
// `personalizeIncidentEmail`, with its own Message-ID in the maintenance's thread.
import type { Incident, ReminderInterval } from "@/db/schema";
import type { PageInfo } from "@/present/views";
import { escapeText as escape } from "@/present/escape";
import { assertHeaderSafe, messageIdDomain, stripLineBreaks, threadHeaders } from "./headers";
import { layoutAround, link, maintenanceWindow, type PreparedIncidentEmail, styles } from "./templates";

export const reminderLabels: Record<ReminderInterval, string> = {
  "72h": "72 hours",
  "24h": "24 hours",
  "1h": "1 hour",
};

export type ReminderEmailInput = {
  page: PageInfo;
  incident: Incident;
  components: { name: string }[];
  interval: ReminderInterval;
  /** The reminder's notification: its Message-ID, unique in the thread. */
  notificationId: string;
  from: string;
};

/** "Scheduled maintenance in 24 hours: <name>, <window in the page's time zone>", its components and its page. */
export function prepareReminderEmail(input: ReminderEmailInput): PreparedIncidentEmail {
  const { page, incident, components } = input;
  const window = maintenanceWindow(incident, page.timeZone) ?? "";
  const headline = `Scheduled maintenance in ${reminderLabels[input.interval]}: ${incident.name}`;
  const url = `${page.url}/incidents/${encodeURIComponent(incident.id)}`;
  const text = [
    `${headline}, ${window}`,
    "",
    ...(components.length ? ["Components under maintenance:", ...components.map((c) => `- ${c.name}`), ""] : []),
    `View this maintenance: ${url}`,
    "",
    "-- ",
    `You receive this email because you subscribed to ${page.name} status updates.`,
    "",
  ].join("\n");
  const list = components.length
    ? `<p style="margin:16px 0 4px;font-weight:600">Components under maintenance</p>
<ul style="margin:0;padding-left:20px">${components.map((c) => `<li>${escape(c.name)}</li>`).join("")}</ul>`
    : "";
  const card = `<p style="${styles.kicker}">${escape(page.name)} · Scheduled maintenance in ${reminderLabels[input.interval]}</p>
<h1 style="${styles.title}">${escape(incident.name)}</h1>
<p style="margin:0 0 16px"><strong>Window:</strong> ${escape(window)}</p>
${list}
<p style="margin:24px 0 0">${link(url, "View this maintenance", styles.button)}</p>`;
  const subject = stripLineBreaks(`[${stripLineBreaks(page.name)}] ${stripLineBreaks(headline)}, ${window}`);
  const [htmlBeforeFooter, htmlAfterFooter] = layoutAround(subject, card);
  return {
    from: assertHeaderSafe(input.from, "from"),
    subject,
    textBeforeFooter: text,
    htmlBeforeFooter,
    htmlAfterFooter,
    pageName: page.name,
    threadHeaders: threadHeaders(incident.id, `reminder-${input.notificationId}`, messageIdDomain(page.url), false),
  };
}
