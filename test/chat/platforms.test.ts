import { describe, expect, it } from "vitest";
import { type ChatPlatform, checkChatUrl, postUrl } from "@/api/chat/platforms";

const strict = { allowPrivate: false };
const accepted: [ChatPlatform, string][] = [
  ["slack", "https://hooks.slack.com/services/T0123ABC/B0456DEF/abcDEF123456"],
  ["slack", "https://HOOKS.SLACK.COM./services/T0123ABC/B0456DEF/abcDEF123456"],
  ["discord", "https://discord.com/api/webhooks/123456789012345678/AbC-dEf_123"],
  ["discord", "https://discordapp.com/api/webhooks/123456789012345678/AbC-dEf_123"],
  ["discord", "https://discord.com/api/v10/webhooks/123456789012345678/AbC?thread_id=42"],
  [
    "teams",
    "https://prod-12.westus.logic.azure.com:443/workflows/abc123/triggers/manual/paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=s3cr3t",
  ],
  [
    "teams",
    "https://default0a1b.2c.environment.api.powerplatform.com/powerautomate/automations/direct/workflows/0a1b2c/triggers/manual/paths/invoke?api-version=1&sig=s3cr3t",
  ],
  ["google_chat", "https://chat.googleapis.com/v1/spaces/AAAA1234/messages?key=AIzaKey&token=tok%3D"],
];

const refused: [ChatPlatform, string, RegExp][] = [
  ["slack", "https://hooks.slack.com.evil.example/services/T01/B01/abc", /not a Slack webhook host/],
  ["slack", "https://evilhooks.slack.com/services/T01/B01/abc", /not a Slack webhook host/],
  ["slack", "https://hooks.slack.com@evil.example/services/T01/B01/abc", /credentials/],
  ["slack", "https://user:pw@hooks.slack.com/services/T01/B01/abc", /credentials/],
  ["slack", "http://hooks.slack.com/services/T01/B01/abc", /https/],
  ["slack", "https://hooks.slack.com:8443/services/T01/B01/abc", /port/],
  ["slack", "https://hooks.slack.com/triggers/T01/123/abc", /incoming-webhook path/],
  ["slack", "https://hooks.slack.com/services/T01/B01/abc/../../../api/chat.postMessage", /incoming-webhook path/],
  ["slack", "https://hooks.slack.com\\@evil.example/services/T01/B01/abc", /incoming-webhook path/],
  ["slack", "https://discord.com/api/webhooks/1/abc", /not a Slack webhook host/],
  ["discord", "https://discord.com.evil.example/api/webhooks/1/abc", /not a Discord webhook host/],
  ["discord", "https://discord.com/api/channels/1/messages", /incoming-webhook path/],
  ["discord", "https://evil.example/api/webhooks/1/abc", /not a Discord webhook host/],
  [
    "teams",
    "https://logic.azure.com.evil.example/workflows/abc/triggers/manual/paths/invoke?sig=x",
    /not a Microsoft Teams webhook host/,
  ],
  ["teams", "https://prod-1.westus.logic.azure.com/workflows/abc/triggers/manual/paths/invoke", /lacks its sig/],
  [
    "teams",
    "https://example.webhook.office.com/webhookb2/abc@def/IncomingWebhook/x/y",
    /not a Microsoft Teams webhook host/,
  ],
  ["google_chat", "https://chat.googleapis.com/v1/spaces/AAAA/messages?key=k", /lacks its token/],
  [
    "google_chat",
    "https://chat.googleapis.com.evil.example/v1/spaces/AAAA/messages?key=k&token=t",
    /not a Google Chat webhook host/,
  ],
  ["google_chat", "https://chat.googleapis.com/v1/spaces/AAAA/members?key=k&token=t", /incoming-webhook path/],
  ["google_chat", "javascript:alert(1)", /https/],
  ["google_chat", "not a url", /not a valid URL/],
];

describe("chat webhook URLs for customer channels", () => {
  it.each(accepted)("a %s URL on the platform's own host is accepted: %s", (platform, url) => {
    expect(checkChatUrl(platform, url, strict)).toMatchObject({ ok: true });
  });

  it.each(refused)("a %s URL elsewhere is refused with a reason: %s", (platform, url, reason) => {
    const check = checkChatUrl(platform, url, strict);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.error).toMatch(reason);
  });

  it("local receivers are accepted only when private webhooks are allowed", () => {
    for (const url of ["http://127.0.0.1:4010/slack", "http://localhost:4010/x", "http://10.0.0.5/hook"]) {
      expect(checkChatUrl("slack", url, strict).ok).toBe(false);
      expect(checkChatUrl("slack", url, { allowPrivate: true }).ok).toBe(true);
    }
    // A public host must still be the platform's own, even then.
    expect(checkChatUrl("slack", "https://evil.example/services/T01/B01/abc", { allowPrivate: true }).ok).toBe(false);
  });

  it("Google Chat posts reply in the incident's thread, falling back to a new one", () => {
    const url = new URL(
      postUrl("google_chat", "https://chat.googleapis.com/v1/spaces/A/messages?key=k&token=t&threadKey=old"),
    );
    expect(url.searchParams.get("messageReplyOption")).toBe("REPLY_MESSAGE_FALLBACK_TO_NEW_THREAD");
    expect(url.searchParams.get("threadKey")).toBeNull();
    expect(url.searchParams.get("token")).toBe("t");
    expect(postUrl("slack", "https://hooks.slack.com/services/T/B/x")).toBe("https://hooks.slack.com/services/T/B/x");
  });
});
