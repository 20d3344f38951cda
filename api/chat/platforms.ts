import { classifyAddress, isIpLiteral } from "@/api/outbound/address";
import { hostOf, type OutboundPolicy } from "@/api/outbound/url-check";

import { type ChatPlatform, chatPlatforms } from "@/db/vocabulary";

export { chatPlatforms, type ChatPlatform };

export const chatPlatformLabels: Record<ChatPlatform, string> = {
  slack: "Slack",
  teams: "Microsoft Teams",
  discord: "Discord",
  google_chat: "Google Chat",
};

/**
 * Where each platform's incoming webhooks live. A customer channel may only point at these: anything else would let a
 * stranger make Marquee post to an arbitrary server. The path is part of the rule, so a look-alike path on the right
 * host (Slack's workflow triggers, a Discord API route other than a webhook) is refused too.
 */
type UrlRule = {
  /** Shown in refusals and docs. */
  example: string;
  host: (host: string) => boolean;
  path: RegExp;
  /** Query parameters that must be present (the credential of some platforms lives there). */
  requiredQuery?: string[];
};

const exactHost = (name: string) => (host: string) => host === name;
// One or more DNS labels in front of a fixed suffix; the `$` anchor keeps `logic.azure.com.evil.example` out.
const underSuffix = (suffix: string) => {
  const pattern = new RegExp(`^(?:[a-z0-9-]+\\.)+${suffix.replace(/\./g, "\\.")}$`);
  return (host: string) => pattern.test(host);
};

const rules: Record<ChatPlatform, UrlRule[]> = {
  // https://api.slack.com/messaging/webhooks: https://hooks.slack.com/services/T…/B…/<secret>
  slack: [
    {
      example: "https://hooks.slack.com/services/T000/B000/XXXX",
      host: exactHost("hooks.slack.com"),
      path: /^\/services\/[A-Z0-9]+\/[A-Z0-9]+\/[A-Za-z0-9]+$/,
    },
  ],
  // https://discord.com/developers/docs/resources/webhook#execute-webhook
  discord: ["discord.com", "discordapp.com"].map((name) => ({
    example: `https://${name}/api/webhooks/<id>/<token>`,
    host: exactHost(name),
    path: /^\/api(?:\/v\d+)?\/webhooks\/\d+\/[A-Za-z0-9_-]+$/,
  })),
  // Workflows ("When a Teams webhook request is received"); `sig` is the credential. The Office 365 connector hosts
  // (*.webhook.office.com, outlook.office.com) are retired and refused.
  teams: [
    {
      example: "https://<region>.logic.azure.com/workflows/<id>/triggers/manual/paths/invoke?…&sig=…",
      host: underSuffix("logic.azure.com"),
      path: /^\/workflows\/[A-Za-z0-9]+\/triggers\/manual\/paths\/invoke$/,
      requiredQuery: ["sig"],
    },
    {
      example:
        "https://<env>.environment.api.powerplatform.com/powerautomate/automations/direct/workflows/<id>/triggers/manual/paths/invoke?…&sig=…",
      host: underSuffix("environment.api.powerplatform.com"),
      path: /^\/powerautomate\/automations\/direct\/workflows\/[A-Za-z0-9]+\/triggers\/manual\/paths\/invoke$/,
      requiredQuery: ["sig"],
    },
  ],
  // https://developers.google.com/workspace/chat/quickstart/webhooks: `token` is the secret.
  google_chat: [
    {
      example: "https://chat.googleapis.com/v1/spaces/<space>/messages?key=…&token=…",
      host: exactHost("chat.googleapis.com"),
      path: /^\/v1\/spaces\/[A-Za-z0-9_-]+\/messages$/,
      requiredQuery: ["key", "token"],
    },
  ],
};

export const chatUrlExamples: Record<ChatPlatform, string[]> = Object.fromEntries(
  chatPlatforms.map((p) => [p, rules[p].map((rule) => rule.example)]),
) as Record<ChatPlatform, string[]>;

export type ChatUrlCheck = { ok: true; url: URL } | { ok: false; error: string };

const refuse = (error: string): ChatUrlCheck => ({ ok: false, error });

/**
 * Checks a customer channel's incoming-webhook URL against its platform's hosts and paths. With ALLOW_PRIVATE_WEBHOOKS
 * (`allowPrivate`), a URL on localhost or a private/loopback IP is accepted as well, so tests and operators can point a
 * channel at a local receiver; a public host must still be the platform's own. The outbound guard still checks the
 * URL's addresses when posting.
 */
export function checkChatUrl(platform: ChatPlatform, raw: string, policy: OutboundPolicy): ChatUrlCheck {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse("not a valid URL");
  }
  if (url.username !== "" || url.password !== "") return refuse("credentials in the URL are not allowed");
  const host = hostOf(url);
  if (policy.allowPrivate && isLocal(host)) {
    return url.protocol === "http:" || url.protocol === "https:" ? { ok: true, url } : refuse("must be http(s)");
  }
  const label = chatPlatformLabels[platform];
  if (url.protocol !== "https:") return refuse(`a ${label} webhook URL must use https`);
  if (url.port !== "") return refuse(`a ${label} webhook URL has no port`);
  if (url.hash !== "") return refuse(`a ${label} webhook URL has no #fragment`);
  const hostRules = rules[platform].filter((rule) => rule.host(host));
  if (hostRules.length === 0) return refuse(`not a ${label} webhook host; expected ${chatUrlExamples[platform][0]}`);
  const rule = hostRules.find((r) => r.path.test(url.pathname));
  if (!rule) return refuse(`not a ${label} incoming-webhook path; expected ${hostRules[0]!.example}`);
  const missing = (rule.requiredQuery ?? []).filter((name) => !url.searchParams.get(name));
  if (missing.length > 0) return refuse(`the ${label} webhook URL lacks its ${missing.join(" and ")} parameter`);
  return { ok: true, url };
}

function isLocal(host: string): boolean {
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  return isIpLiteral(host) && classifyAddress(host) !== "public";
}

/**
 * The URL a message is posted to. Google Chat threads a message under `thread.threadKey` only when asked to reply:
 * REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD starts the thread on the first update and replies in it afterwards.
 */
export function postUrl(platform: ChatPlatform, webhookUrl: string): string {
  if (platform !== "google_chat") return webhookUrl;
  const url = new URL(webhookUrl);
  url.searchParams.delete("threadKey"); // deprecated; the body's thread.threadKey decides
  url.searchParams.set("messageReplyOption", "REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD");
  return url.toString();
}
