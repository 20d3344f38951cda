import type { ComponentStatus, Impact, UpdateStatus } from "@/db/schema";
import { componentStatusLabels, impactLabels, updateStatusLabels } from "@/present/labels";
import { discordDialect, googleChatDialect, slackDialect, teamsDialect } from "./dialects";
import { adaptiveCard, button, chatLimits, openUrl, paragraph, teamsEnvelope, withinBytes } from "./cards";
import { clip, fitAtoms } from "./fit";
import { type Dialect, markdownAtoms, plainAtoms } from "./markdown";
import type { ChatPlatform } from "./platforms";

/** What a chat message about an incident update says: plain data, no platform in it. */
export type IncidentMessageView = {
  incidentId: string;
  name: string;
  status: UpdateStatus;
  impact: Impact;
  components: { name: string; status: ComponentStatus }[];
  /** The update's Markdown body, as staff wrote it. */
  body: string;
  incidentUrl: string;
  manageUrl: string;
  pageName: string;
};

/** A staff alert (monitor down, late heartbeat, failed backup): plain text, never Markdown. */
export type StaffAlertMessageView = { subject: string; text: string; link: string | null; pageName: string };

// Listing more components than this tells nobody anything; the rest are counted.
const componentsShown = 15;

function componentLines(view: { components: IncidentMessageView["components"] }, d: Dialect, limit: number) {
  const shown = view.components.slice(0, componentsShown);
  const lines = shown.map((c) => [
    { kind: "whole" as const, out: d.bullet(null, 0) },
    { kind: "text" as const, raw: `${c.name}: ${componentStatusLabels[c.status]}` },
  ]);
  const rest = view.components.length - shown.length;
  const atoms = lines.flatMap((line, i) => (i > 0 ? [{ kind: "whole" as const, out: d.lineBreak }, ...line] : line));
  if (rest > 0) atoms.push({ kind: "whole", out: d.lineBreak }, { kind: "text", raw: `and ${rest} more` });
  return fitAtoms(atoms, d, limit, "…");
}

const statusLine = (view: IncidentMessageView) => `${updateStatusLabels[view.status]} · ${impactLabels[view.impact]}`;
const fallbackText = (view: IncidentMessageView) =>
  `${view.pageName}: ${view.name} (${updateStatusLabels[view.status]})`;

const body = (view: IncidentMessageView, d: Dialect, limit: number) =>
  fitAtoms(markdownAtoms(view.body, d), d, limit, ` … ${d.link(view.incidentUrl, "Read more")}`);

/** Slack Block Kit: https://api.slack.com/reference/block-kit/blocks */
export function slackIncidentMessage(view: IncidentMessageView) {
  const d = slackDialect;
  const blocks: unknown[] = [
    { type: "header", text: { type: "plain_text", text: clip(view.name, chatLimits.slack.header), emoji: false } },
    { type: "section", text: { type: "mrkdwn", text: `*${d.escape(statusLine(view))}*` } },
  ];
  if (view.components.length > 0) {
    const text = componentLines(view, d, chatLimits.slack.section);
    blocks.push({ type: "section", text: { type: "mrkdwn", text } });
  }
  if (view.body.trim() !== "") {
    blocks.push({ type: "section", text: { type: "mrkdwn", text: body(view, d, chatLimits.slack.section) } });
  }
  blocks.push({
    type: "context",
    elements: [
      {
        type: "mrkdwn",
        text: `${d.link(view.incidentUrl, "View incident")} · ${d.link(view.manageUrl, "Manage or unsubscribe")}`,
      },
    ],
  });
  // `text` is what notifications and screen readers show; plain, escaped like any mrkdwn.
  return { text: d.escape(clip(fallbackText(view), 300)), blocks, unfurl_links: false, unfurl_media: false };
}

/** Embed colours: green when over, blue for maintenance, else by impact. */
export function discordColor(status: UpdateStatus, impact: Impact): number {
  if (status === "resolved" || status === "postmortem" || status === "completed") return 0x2e7d32;
  if (status === "scheduled" || status === "in_progress" || status === "verifying" || impact === "maintenance")
    return 0x1565c0;
  return { none: 0x757575, minor: 0xf9a825, major: 0xef6c00, critical: 0xc62828 }[impact];
}

/** A Discord embed; `allowed_mentions` with an empty parse list means nothing in it can ping anyone. */
export function discordIncidentMessage(view: IncidentMessageView) {
  const d = discordDialect;
  const limits = chatLimits.discord;
  const title = clip(view.name, limits.title);
  const fields = [{ name: "Status", value: d.escape(statusLine(view)), inline: false }];
  if (view.components.length > 0) {
    fields.push({ name: "Affected components", value: componentLines(view, d, limits.fieldValue), inline: false });
  }
  fields.push({ name: "Subscription", value: d.link(view.manageUrl, "Manage or unsubscribe"), inline: false });
  const footer = { text: clip(view.pageName, limits.footer) };
  // The 6,000 characters are shared by every text of the embed: the description gets what the rest leaves.
  const others = title.length + footer.text.length + fields.reduce((n, f) => n + f.name.length + f.value.length, 0);
  const description = body(view, d, Math.min(limits.description, limits.total - others));
  const embed = {
    title,
    url: view.incidentUrl,
    description,
    color: discordColor(view.status, view.impact),
    fields,
    footer,
  };
  return { embeds: [embed], allowed_mentions: { parse: [] as string[] } };
}

/** An Adaptive Card in the envelope a Teams Workflows webhook takes. */
export function teamsIncidentMessage(view: IncidentMessageView) {
  const d = teamsDialect;
  const facts = [
    { title: "Status", value: d.escape(updateStatusLabels[view.status]) },
    { title: "Impact", value: d.escape(impactLabels[view.impact]) },
    ...view.components
      .slice(0, componentsShown)
      .map((c) => ({ title: d.escape(clip(c.name, 200)), value: componentStatusLabels[c.status] })),
  ];
  if (view.components.length > componentsShown) {
    facts.push({ title: "…", value: `and ${view.components.length - componentsShown} more` });
  }
  const blocks: unknown[] = [
    { type: "TextBlock", text: d.escape(clip(view.name, 300)), size: "Large", weight: "Bolder", wrap: true },
    { type: "FactSet", facts },
  ];
  const actions = [openUrl("View incident", view.incidentUrl), openUrl("Manage or unsubscribe", view.manageUrl)];
  return withinBytes(chatLimits.teams.messageBytes, (bodyLimit) => {
    // Measured with an empty text block in place, so the block's own JSON counts as "the rest".
    const text = bodyLimit === null ? "" : body(view, d, bodyLimit);
    const all = view.body.trim() === "" ? blocks : [...blocks, { type: "TextBlock", text, wrap: true }];
    return teamsEnvelope(adaptiveCard(all, actions));
  });
}

/** One thread per incident: every update of an incident is a reply under its first message. */
export const googleChatThreadKey = (incidentId: string) => `marquee-incident-${incidentId}`;

/**
 * The message's own text uses Chat's syntax, where `<users/all>` mentions everyone, and the card header is plain text
 * whose rendering of markup is undocumented: angle brackets become look-alike quotes there.
 */
export const angleFree = (text: string) => text.replace(/</g, "‹").replace(/>/g, "›");

/** A Google Chat cardsV2 card, threaded by incident (post it to `postUrl("google_chat", …)`). */
export function googleChatIncidentMessage(view: IncidentMessageView) {
  const d = googleChatDialect;
  const limits = chatLimits.google_chat;
  const top: unknown[] = [];
  if (view.components.length > 0) {
    top.push({ header: "Affected components", widgets: [paragraph(componentLines(view, d, limits.components))] });
  }
  const links = [button("View incident", view.incidentUrl), button("Manage or unsubscribe", view.manageUrl)];
  const header = {
    title: angleFree(clip(view.name, limits.header)),
    subtitle: angleFree(clip(`${view.pageName} · ${statusLine(view)}`, limits.header)),
  };
  return withinBytes(limits.messageBytes, (bodyLimit) => {
    const text = bodyLimit === null ? "" : body(view, d, bodyLimit);
    const bodySection = view.body.trim() === "" ? [] : [{ widgets: [paragraph(text)] }];
    const sections = [...top, ...bodySection, { widgets: [{ buttonList: { buttons: links } }] }];
    return {
      text: angleFree(clip(fallbackText(view), 300)),
      cardsV2: [{ cardId: `incident-${view.incidentId}`, card: { header, sections } }],
      thread: { threadKey: googleChatThreadKey(view.incidentId) },
    };
  });
}

export const incidentMessages: Record<ChatPlatform, (view: IncidentMessageView) => object> = {
  slack: slackIncidentMessage,
  discord: discordIncidentMessage,
  teams: teamsIncidentMessage,
  google_chat: googleChatIncidentMessage,
};
