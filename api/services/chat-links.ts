import { constantTimeEqual, hmacSha256Signer } from "@/api/ids";

/**
 * The links a chat channel's messages carry. They sign with the subscriber link key (`linkKey` in
 * subscriber-links.ts) under their own prefixes, so a chat token never works as an email subscriber's and back.
 *
 * - Manage and unsubscribe: `<channel id>.<HMAC of it>`, rebuilt for every message, nothing stored.
 * - Confirm: an HMAC of the confirmation post's id, derived when the message is built and never stored in clear;
 *   `chat_channels.confirm_token_hash` keeps its SHA-256, so only the latest confirmation link of a channel works.
 */
export const chatLinkPaths = {
  confirm: (token: string) => `/chat/confirm/${token}`,
  manage: (token: string) => `/chat/manage/${token}`,
  unsubscribe: (token: string) => `/chat/unsubscribe/${token}`,
};

/** Makes manage/unsubscribe tokens for many channels under one key. */
export function chatChannelTokenMaker(key: string): (channelId: string) => string {
  const sign = hmacSha256Signer(key);
  return (channelId) => `${channelId}.${sign(`chat-channel:${channelId}`).slice(0, 32)}`;
}

/** The channel id a manage/unsubscribe token names, or null when the token was not made by this page. */
export function verifyChatChannelToken(key: string, token: string): string | null {
  const match = /^([a-z0-9]{12})\.([0-9a-f]{32})$/.exec(token);
  if (!match) return null;
  const expected = chatChannelTokenMaker(key)(match[1]!);
  return constantTimeEqual(expected, token) ? match[1]! : null;
}

/** Makes confirmation tokens from confirmation post ids under one key. */
export function chatConfirmTokenMaker(key: string): (postId: string) => string {
  const sign = hmacSha256Signer(key);
  return (postId) => sign(`chat-confirm:${postId}`);
}
