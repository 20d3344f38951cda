import { adaptiveCard, button, chatLimits, openUrl, paragraph, teamsEnvelope, withinBytes } from "./cards";
import { discordDialect, googleChatDialect, slackDialect, teamsDialect } from "./dialects";
import { clip, fitAtoms } from "./fit";
import { type Dialect, plainAtoms } from "./markdown";
import { angleFree, type StaffAlertMessageView } from "./messages";
import type { ChatPlatform } from "./platforms";

// Staff alerts are plain text written by Marquee from monitor names, alert labels and error messages: text that
// outsiders can influence, so it is escaped like any other, and cut with a pointer to the link when there is one.
const alertText = (view: StaffAlertMessageView, d: Dialect, limit: number) =>
  fitAtoms(plainAtoms(view.text, d), d, limit, view.link ? ` … ${d.link(view.link, "details")}` : " …");

const staffFooter = (view: StaffAlertMessageView) => `Staff alert from ${view.pageName}`;

export function slackStaffAlert(view: StaffAlertMessageView) {
  const d = slackDialect;
  const blocks: unknown[] = [
    { type: "header", text: { type: "plain_text", text: clip(view.subject, chatLimits.slack.header), emoji: false } },
    { type: "section", text: { type: "mrkdwn", text: alertText(view, d, chatLimits.slack.section) || " " } },
  ];
  const context = [d.escape(staffFooter(view)), ...(view.link ? [d.link(view.link, "Open")] : [])].join(" · ");
  blocks.push({ type: "context", elements: [{ type: "mrkdwn", text: context }] });
  return { text: d.escape(clip(view.subject, 300)), blocks, unfurl_links: false, unfurl_media: false };
}

export function discordStaffAlert(view: StaffAlertMessageView) {
  const d = discordDialect;
  const limits = chatLimits.discord;
  const title = clip(view.subject, limits.title);
  const footer = { text: clip(staffFooter(view), limits.footer) };
  const description = alertText(
    view,
    d,
    Math.min(limits.description, limits.total - title.length - footer.text.length),
  );
  const embed = { title, description, color: 0xef6c00, footer, ...(view.link ? { url: view.link } : {}) };
  return { embeds: [embed], allowed_mentions: { parse: [] as string[] } };
}

export function teamsStaffAlert(view: StaffAlertMessageView) {
  const d = teamsDialect;
  const title = {
    type: "TextBlock",
    text: d.escape(clip(view.subject, 300)),
    size: "Large",
    weight: "Bolder",
    wrap: true,
  };
  const footer = { type: "TextBlock", text: d.escape(staffFooter(view)), isSubtle: true, wrap: true };
  const actions = view.link ? [openUrl("Open", view.link)] : [];
  return withinBytes(chatLimits.teams.messageBytes, (limit) => {
    const text = limit === null ? "" : alertText(view, d, limit);
    return teamsEnvelope(adaptiveCard([title, { type: "TextBlock", text, wrap: true }, footer], actions));
  });
}

export function googleChatStaffAlert(view: StaffAlertMessageView) {
  const d = googleChatDialect;
  const limits = chatLimits.google_chat;
  const header = {
    title: angleFree(clip(view.subject, limits.header)),
    subtitle: angleFree(clip(staffFooter(view), limits.header)),
  };
  return withinBytes(limits.messageBytes, (limit) => {
    const widgets: unknown[] = [paragraph(limit === null ? "" : alertText(view, d, limit))];
    if (view.link) widgets.push({ buttonList: { buttons: [button("Open", view.link)] } });
    return {
      text: angleFree(clip(view.subject, 300)),
      cardsV2: [{ cardId: "staff-alert", card: { header, sections: [{ widgets }] } }],
    };
  });
}

export const staffAlertMessages: Record<ChatPlatform, (view: StaffAlertMessageView) => object> = {
  slack: slackStaffAlert,
  discord: discordStaffAlert,
  teams: teamsStaffAlert,
  google_chat: googleChatStaffAlert,
};
