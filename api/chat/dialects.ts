import type { ChatPlatform } from "./platforms";
import type { Dialect } from "./markdown";

// A zero-width space after the @ keeps the words readable but stops a platform from reading a broadcast mention.
const defuseMentions = (text: string) => text.replace(/@(channel|here|everyone|all)\b/gi, "@\u200B$1");
const chars = (out: string) => out.length;
const encoder = new TextEncoder();
/** Bytes of the text once inside a JSON string: the limit of Teams (28 KB) and Google Chat (32,000 bytes) is on the body. */
const jsonBytes = (out: string) => encoder.encode(JSON.stringify(out)).length - 2;
const ordinalOr = (ordinal: number | null, bullet: string) => (ordinal === null ? bullet : `${ordinal}. `);
const indent = (depth: number) => "  ".repeat(depth);

/** https://api.slack.com/reference/surfaces/formatting#escaping: only &, < and > are escaped, as entities. */
const slackEscape = (raw: string) =>
  defuseMentions(raw.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;"));

export const slackDialect: Dialect = {
  escape: slackEscape,
  strong: ["*", "*"],
  em: ["_", "_"],
  strike: ["~", "~"],
  heading: ["*", "*"],
  code: (raw) => (raw.includes("`") ? slackEscape(raw) : "`" + slackEscape(raw) + "`"),
  fence: (raw) => "```\n" + slackEscape(raw.replace(/```/g, "ˋˋˋ")) + "\n```",
  // `|` ends the URL part of `<url|text>` and `>` the whole link, so neither may stay in the URL.
  link: (href, text) =>
    `<${slackEscape(href).replace(/\|/g, "%7C")}|${slackEscape(text.replace(/\|/g, "¦")) || "link"}>`,
  lineBreak: "\n",
  paragraph: "\n\n",
  bullet: (ordinal, depth) => indent(depth) + ordinalOr(ordinal, "• "),
  quote: "> ",
  measure: chars,
};

// Discord reads Markdown everywhere; a backslash makes any of these literal, and `<` would start a mention or an
// emoji (`<@id>`, `<#id>`). https://support.discord.com/hc/en-us/articles/210298617
const discordEscape = (raw: string) => defuseMentions(raw.replace(/[\\*_~`|[\]()<>#]/g, "\\$&"));
const discordUrl = (href: string) => href.replace(/[()<> ]/g, (c) => encodeURIComponent(c));

export const discordDialect: Dialect = {
  escape: discordEscape,
  strong: ["**", "**"],
  em: ["*", "*"],
  strike: ["~~", "~~"],
  heading: ["**", "**"],
  code: (raw) => "`" + raw.replace(/`/g, "ˋ") + "`",
  fence: (raw) => "```\n" + raw.replace(/```/g, "ˋˋˋ") + "\n```",
  link: (href, text) => `[${discordEscape(text) || "link"}](${discordUrl(href)})`,
  lineBreak: "\n",
  paragraph: "\n\n",
  bullet: (ordinal, depth) => indent(depth) + ordinalOr(ordinal, "- "),
  quote: "> ",
  measure: chars,
};

// Adaptive Card TextBlocks render a CommonMark subset (bold, italic, lists, links; no headings, code or HTML), and
// `{{DATE(…)}}` / `{{TIME(…)}}` are functions: a zero-width space between the braces keeps them text.
// https://learn.microsoft.com/adaptive-cards/authoring-cards/text-features
const teamsEscape = (raw: string) =>
  defuseMentions(
    raw
      .replace(/[\\*_[\]`]/g, "\\$&")
      .replace(/\{\{/g, "{\u200B{")
      .replace(/\r?\n/g, "\n\n"),
  );

export const teamsDialect: Dialect = {
  escape: teamsEscape,
  strong: ["**", "**"],
  em: ["_", "_"],
  strike: ["", ""],
  heading: ["**", "**"],
  code: teamsEscape,
  fence: teamsEscape,
  link: (href, text) => `[${teamsEscape(text) || "link"}](${discordUrl(href)})`,
  lineBreak: "\n\n",
  paragraph: "\n\n",
  bullet: (ordinal, depth) => indent(depth) + ordinalOr(ordinal, "- "),
  quote: "",
  measure: jsonBytes,
};

// Card text in Google Chat is an HTML subset (<b>, <i>, <s>, <a href>, <br>, <font color>); escaping < also defuses
// `<users/all>`. https://developers.google.com/workspace/chat/format-messages#card-formatting
const googleEscape = (raw: string) =>
  raw
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/\r?\n/g, "<br>");

export const googleChatDialect: Dialect = {
  escape: googleEscape,
  strong: ["<b>", "</b>"],
  em: ["<i>", "</i>"],
  strike: ["<s>", "</s>"],
  heading: ["<b>", "</b>"],
  code: (raw) => `<font color="#188038">${googleEscape(raw)}</font>`,
  fence: (raw) => `<font color="#188038">${googleEscape(raw)}</font>`,
  link: (href, text) => `<a href="${googleEscape(href)}">${googleEscape(text) || "link"}</a>`,
  lineBreak: "<br>",
  paragraph: "<br><br>",
  bullet: (ordinal, depth) => "&nbsp;".repeat(depth * 2) + ordinalOr(ordinal, "• "),
  quote: "",
  measure: jsonBytes,
};

export const dialects: Record<ChatPlatform, Dialect> = {
  slack: slackDialect,
  discord: discordDialect,
  teams: teamsDialect,
  google_chat: googleChatDialect,
};
