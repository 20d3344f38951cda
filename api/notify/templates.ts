// The emails Marquee sends, as pure functions of their data: no clock, no I/O, so the sender can rebuild the same
// email after a crash and the tests read exactly what a subscriber gets. The HTML is one small table-free column
// with inline styles (mail clients drop <style> and external sheets) and no images.
import type { Incident } from "@/db/schema";
import type { PageInfo, UpdateView } from "@/present/views";
import { type OutgoingEmail, wholeBody } from "@/api/notify/transport";
import {
  assertHeaderSafe,
  assertSingleAddress,
  messageIdDomain,
  stripLineBreaks,
  threadHeaders,
  unsubscribeHeaders,
} from "@/api/notify/headers";
import { escapeText as escape } from "@/present/escape";
import { componentStatusLabels, updateStatusLabels } from "@/present/labels";
import { renderMarkdown } from "@/present/markdown";
import { postmortemUpdateId } from "@/present/postmortem";
import { formatDateTime, formatTime, isSameDay } from "@/present/time";

/** What every recipient of one update gets alike. */
export type SharedIncidentEmailInput = {
  page: PageInfo;
  incident: Incident;
  update: UpdateView;
  from: string;
  /** The incident's first email: it becomes the thread's root instead of replying to it. */
  isFirst: boolean;
};

/** What only one recipient's email carries: the address and the links that identify the subscriber. */
export type RecipientParts = { to: string; unsubscribeUrl: string; manageUrl: string };

export type IncidentEmailInput = SharedIncidentEmailInput & RecipientParts;

/**
 * An update's email with the recipient's parts left open: built once per notification (the Markdown render and the
 * layout cost the same for every recipient), then completed per recipient by `personalizeIncidentEmail`.
 */
export type PreparedIncidentEmail = {
  from: string;
  subject: string;
  textBeforeFooter: string;
  htmlBeforeFooter: string;
  htmlAfterFooter: string;
  pageName: string;
  threadHeaders: Record<string, string>;
};

export type ConfirmationEmailInput = {
  page: PageInfo;
  confirmUrl: string;
  from: string;
  to: string;
  /** How long the confirmation link stays valid; the subscription service that issues it knows. */
  expiresInHours?: number;
};

export const styles = {
  body: "margin:0;padding:24px 12px;background:#f6f7f9;color:#1f2328;font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;font-size:15px;line-height:1.5",
  card: "max-width:560px;margin:0 auto;background:#ffffff;border:1px solid #d0d7de;border-radius:6px;padding:24px",
  kicker: "margin:0 0 4px;font-size:13px;color:#57606a",
  title: "margin:0 0 8px;font-size:20px;line-height:1.3",
  meta: "margin:0 0 16px;font-size:14px;color:#57606a",
  button:
    "display:inline-block;padding:8px 16px;background:#0969da;color:#ffffff;border-radius:6px;text-decoration:none;font-weight:600",
  footer: "max-width:560px;margin:16px auto 0;font-size:12px;color:#57606a;text-align:center",
};

export const link = (url: string, label: string, style = "color:#0969da") =>
  `<a href="${escape(url)}" style="${style}">${escape(label)}</a>`;

/** The page around a card, in two halves that the footer goes between. */
export function layoutAround(title: string, card: string): [before: string, after: string] {
  return [
    `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escape(title)}</title></head>
<body style="${styles.body}">
<div style="${styles.card}">
${card}
</div>
<p style="${styles.footer}">`,
    `</p>
</body></html>
`,
  ];
}

function layout(title: string, card: string, footer: string): string {
  const [before, after] = layoutAround(title, card);
  return before + footer + after;
}

/** "Dec 1, 2026, 13:00 UTC – 15:00 UTC", the end with its date only when it falls on another day. */
export function maintenanceWindow(incident: Incident, timeZone: string): string | null {
  const { scheduledFor: start, scheduledUntil: end } = incident;
  if (start === null || end === null) return null;
  const until = isSameDay(start, end, timeZone) ? formatTime(end, timeZone) : formatDateTime(end, timeZone);
  return `${formatDateTime(start, timeZone)} – ${until}`;
}

/**
 * A notification about one update of an incident or maintenance, threaded with the incident's other emails, with
 * its bodies as whole strings: the form for one email. A notification's many emails are built by
 * `prepareIncidentEmail` once and `personalizeIncidentEmail` per recipient.
 */
export function incidentEmail(input: IncidentEmailInput): OutgoingEmail {
  const email = personalizeIncidentEmail(prepareIncidentEmail(input), input);
  return { ...email, text: wholeBody(email.text), html: wholeBody(email.html) };
}

/** Everything of an update's email that is the same for every recipient. */
export function prepareIncidentEmail(input: SharedIncidentEmailInput): PreparedIncidentEmail {
  const { page, incident, update, isFirst } = input;
  const isMaintenance = incident.kind === "maintenance";
  // A published postmortem is its incident's postmortem update (present/postmortem.ts): its own subject, the text whole.
  const isPostmortem = update.id === postmortemUpdateId(incident.id);
  const title = isMaintenance
    ? `Scheduled maintenance: ${incident.name}`
    : isPostmortem
      ? `Postmortem: ${incident.name}`
      : incident.name;
  const status = updateStatusLabels[update.status];
  const when = formatDateTime(update.displayAt, page.timeZone);
  const window = isMaintenance ? maintenanceWindow(incident, page.timeZone) : null;
  const url = `${page.url}/incidents/${encodeURIComponent(incident.id)}`;
  const viewLabel = isMaintenance
    ? "View this maintenance"
    : isPostmortem
      ? "Read it on the page"
      : "View this incident";
  const components = update.affectedComponents.map((c) => ({
    name: c.name,
    status: componentStatusLabels[c.newStatus],
  }));

  const text = [
    title,
    `${status} · ${when}`,
    ...(window ? [`Window: ${window}`] : []),
    "",
    update.body,
    ...(components.length ? ["", "Affected components:", ...components.map((c) => `- ${c.name}: ${c.status}`)] : []),
    "",
    `${viewLabel}: ${url}`,
    "",
    "-- ",
    `You receive this email because you subscribed to ${page.name} status updates.`,
    "",
  ].join("\n");

  const componentList = components.length
    ? `<p style="margin:16px 0 4px;font-weight:600">Affected components</p>
<ul style="margin:0;padding-left:20px">${components.map((c) => `<li>${escape(c.name)}: ${escape(c.status)}</li>`).join("")}</ul>`
    : "";
  const card = `<p style="${styles.kicker}">${escape(page.name)}${isMaintenance ? " · Scheduled maintenance" : ""}</p>
<h1 style="${styles.title}">${escape(isPostmortem ? title : incident.name)}</h1>
<p style="${styles.meta}"><strong style="color:#1f2328">${escape(status)}</strong> · ${escape(when)}</p>
${window ? `<p style="margin:0 0 16px"><strong>Window:</strong> ${escape(window)}</p>\n` : ""}<div>${renderMarkdown(update.body)}</div>
${componentList}
<p style="margin:24px 0 0">${link(url, viewLabel, styles.button)}</p>`;

  const subject = stripLineBreaks(
    `[${stripLineBreaks(page.name)}] ${stripLineBreaks(title)}${isPostmortem ? "" : ` — ${status}`}`,
  );
  const [htmlBeforeFooter, htmlAfterFooter] = layoutAround(subject, card);
  return {
    from: assertHeaderSafe(input.from, "from"),
    subject,
    textBeforeFooter: text,
    htmlBeforeFooter,
    htmlAfterFooter,
    pageName: page.name,
    threadHeaders: threadHeaders(incident.id, update.id, messageIdDomain(page.url), isFirst),
  };
}

/**
 * One recipient's email: the prepared parts, the address, and the links that only this subscriber may see. The
 * bodies are pieces: the prepared ones, shared by every recipient, around this recipient's footer.
 */
export function personalizeIncidentEmail(prepared: PreparedIncidentEmail, recipient: RecipientParts): OutgoingEmail {
  const { unsubscribeUrl, manageUrl } = recipient;
  const textFooter = `Manage your subscription: ${manageUrl}\nUnsubscribe: ${unsubscribeUrl}\n`;
  const footer = `You receive this email because you subscribed to ${escape(prepared.pageName)} status updates.<br>
${link(manageUrl, "Manage your subscription")} · ${link(unsubscribeUrl, "Unsubscribe")}`;
  return {
    from: prepared.from,
    to: assertSingleAddress(recipient.to, "to"),
    subject: prepared.subject,
    text: [prepared.textBeforeFooter, textFooter],
    html: [prepared.htmlBeforeFooter, footer, prepared.htmlAfterFooter],
    headers: { ...prepared.threadHeaders, ...unsubscribeHeaders(unsubscribeUrl) },
  };
}

/** Double opt-in: the link proves the address belongs to the person who subscribed. Not a notification, no thread. */
export function confirmationEmail(input: ConfirmationEmailInput): OutgoingEmail {
  const { page, confirmUrl, expiresInHours = 24 } = input;
  const subject = `Confirm your subscription to ${stripLineBreaks(page.name)} status updates`;
  const expiry = `This link expires in ${expiresInHours} hours. If you did not ask for these emails, ignore this one: you will not be subscribed.`;
  const text = [
    `Someone, hopefully you, asked to receive ${page.name} status updates by email at this address.`,
    "",
    `Confirm your subscription: ${confirmUrl}`,
    "",
    expiry,
    "",
    `${page.name} status page: ${page.url}`,
    "",
  ].join("\n");
  const card = `<h1 style="${styles.title}">Confirm your subscription</h1>
<p style="margin:0 0 16px">Someone, hopefully you, asked to receive ${escape(page.name)} status updates by email at this address.</p>
<p style="margin:0 0 16px">${link(confirmUrl, "Confirm subscription", styles.button)}</p>
<p style="margin:0;font-size:13px;color:#57606a">${escape(expiry)}</p>`;
  const footer = link(page.url, `${page.name} status page`);
  return {
    from: assertHeaderSafe(input.from, "from"),
    to: assertSingleAddress(input.to, "to"),
    subject,
    text,
    html: layout(subject, card, footer),
    headers: {},
  };
}
