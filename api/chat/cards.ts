/** Pieces of the platforms' message shapes that incident messages and staff alerts share. */

/** Limits as documented by each platform (see docs/chat.md). */
export const chatLimits = {
  slack: { header: 150, section: 3000, fieldText: 2000 },
  discord: { title: 256, description: 4096, fieldValue: 1024, footer: 2048, total: 6000 },
  // Teams Workflows refuse a request above about 28 KB ("Request Entity Too Large"); Google Chat a message above
  // 32,000 bytes. The body text gets what the rest of the message leaves.
  teams: { messageBytes: 28_000 },
  google_chat: { messageBytes: 32_000, header: 200, components: 4000 },
} as const;

export const teamsEnvelope = <T extends object>(card: T) => ({
  type: "message",
  attachments: [{ contentType: "application/vnd.microsoft.card.adaptive", contentUrl: null, content: card }],
});
export const adaptiveCard = (body: unknown[], actions: unknown[]) => ({
  $schema: "http://adaptivecards.io/schemas/adaptive-card.json",
  type: "AdaptiveCard",
  version: "1.4",
  body,
  actions,
});
export const openUrl = (title: string, url: string) => ({ type: "Action.OpenUrl", title, url });

export const button = (text: string, url: string) => ({ text, onClick: { openLink: { url } } });
export const paragraph = (text: string) => ({ textParagraph: { text } });

const encoder = new TextEncoder();
export const messageBytes = (message: object) => encoder.encode(JSON.stringify(message)).length;

/** Builds a message twice: without its body text to learn what the rest costs, then with the body cut to fit. */
export function withinBytes<T extends object>(limit: number, build: (bodyLimit: number | null) => T): T {
  const rest = messageBytes(build(null));
  return build(Math.max(0, limit - rest));
}
