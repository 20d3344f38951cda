import { adaptiveCard, button, chatLimits, openUrl, paragraph, teamsEnvelope } from "./cards";
import { discordDialect, googleChatDialect, slackDialect, teamsDialect } from "./dialects";
import { clip } from "./fit";
import type { Dialect } from "./markdown";
import { angleFree } from "./messages";
import type { ChatPlatform } from "./platforms";

/**
 * The message that asks a channel to confirm a subscription. Whoever typed the webhook URL may not be a member of the
 * channel, so it says what the page is, what the channel would get, and that nothing more comes until someone here
 * confirms.
 */
export type ConfirmationMessageView = {
  pageName: string;
  pageUrl: string;
  /** Component names, or null for every component. */
  components: string[] | null;
  confirmUrl: string;
};

// A list longer than this tells nobody anything; the rest are counted.
const componentsShown = 15;

function followed(view: ConfirmationMessageView): string {
  if (view.components === null) return "every component";
  const shown = view.components.slice(0, componentsShown).map((name) => clip(name, 100));
  const rest = view.components.length - shown.length;
  return shown.join(", ") + (rest > 0 ? ` and ${rest} more` : "");
}

const title = (view: ConfirmationMessageView) => clip(`Confirm updates from ${view.pageName}`, 150);
const intro = (view: ConfirmationMessageView, d: Dialect) =>
  `Someone asked ${d.link(view.pageUrl, clip(view.pageName, 200))} to post incident updates for ` +
  `${d.escape(followed(view))} into this channel.`;
const nothingYet =
  "Nothing more will be posted here until someone in this channel confirms. " +
  "If you did not expect this, ignore it.";

export function slackConfirmationMessage(view: ConfirmationMessageView) {
  const d = slackDialect;
  const blocks = [
    { type: "header", text: { type: "plain_text", text: clip(title(view), chatLimits.slack.header), emoji: false } },
    { type: "section", text: { type: "mrkdwn", text: clip(intro(view, d), chatLimits.slack.section) } },
    { type: "section", text: { type: "mrkdwn", text: d.escape(nothingYet) } },
    {
      type: "actions",
      elements: [
        {
          type: "button",
          text: { type: "plain_text", text: "Confirm subscription" },
          url: view.confirmUrl,
          style: "primary",
        },
      ],
    },
  ];
  return { text: d.escape(title(view)), blocks, unfurl_links: false, unfurl_media: false };
}

export function discordConfirmationMessage(view: ConfirmationMessageView) {
  const d = discordDialect;
  const embed = {
    title: clip(title(view), chatLimits.discord.title),
    url: view.confirmUrl,
    description: clip(
      `${intro(view, d)}\n\n${d.link(view.confirmUrl, "Confirm subscription")}\n\n${d.escape(nothingYet)}`,
      chatLimits.discord.description,
    ),
    color: 0x1565c0,
  };
  return { embeds: [embed], allowed_mentions: { parse: [] as string[] } };
}

export function teamsConfirmationMessage(view: ConfirmationMessageView) {
  const d = teamsDialect;
  const body = [
    { type: "TextBlock", text: d.escape(title(view)), size: "Large", weight: "Bolder", wrap: true },
    { type: "TextBlock", text: intro(view, d), wrap: true },
    { type: "TextBlock", text: d.escape(nothingYet), wrap: true, isSubtle: true },
  ];
  return teamsEnvelope(adaptiveCard(body, [openUrl("Confirm subscription", view.confirmUrl)]));
}

export function googleChatConfirmationMessage(view: ConfirmationMessageView) {
  const d = googleChatDialect;
  const header = { title: angleFree(clip(title(view), chatLimits.google_chat.header)) };
  const widgets = [
    paragraph(intro(view, d)),
    paragraph(d.escape(nothingYet)),
    { buttonList: { buttons: [button("Confirm subscription", view.confirmUrl)] } },
  ];
  return {
    text: angleFree(title(view)),
    cardsV2: [{ cardId: "confirm-subscription", card: { header, sections: [{ widgets }] } }],
  };
}

export const confirmationMessages: Record<ChatPlatform, (view: ConfirmationMessageView) => object> = {
  slack: slackConfirmationMessage,
  discord: discordConfirmationMessage,
  teams: teamsConfirmationMessage,
  google_chat: googleChatConfirmationMessage,
};
