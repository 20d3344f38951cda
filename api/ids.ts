import { createHash, createHmac } from "node:crypto";

const alphabet = "0123456789abcdefghijklmnopqrstuvwxyz";

/** A 12-character lowercase alphanumeric id, the shape Statuspage uses and its clients expect. */
export function newId(length = 12): string {
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  let id = "";
  // 252 = 7 * 36: reject the top bytes so that every character is equally likely.
  for (let i = 0; id.length < length; i++) {
    if (i === bytes.length) return id + newId(length - id.length);
    if (bytes[i]! < 252) id += alphabet[bytes[i]! % 36];
  }
  return id;
}

export function randomToken(bytes = 24): string {
  const raw = crypto.getRandomValues(new Uint8Array(bytes));
  return Array.from(raw, (b) => b.toString(16).padStart(2, "0")).join("");
}

export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Compares two strings in time that depends only on their length. */
export function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** HMAC-SHA256 of a message under a text key, as lower-case hex. */
export async function hmacSha256Hex(key: string, message: string): Promise<string> {
  return hmacSha256Signer(key)(message);
}

/**
 * Signs many messages under one key. node:crypto (also on Workers, with nodejs_compat) signs synchronously in a few
 * microseconds, where WebCrypto's promise per message costs about 70 µs: a notification signs one link per recipient.
 */
export function hmacSha256Signer(key: string): (message: string) => string {
  return (message) => createHmac("sha256", key).update(message).digest("hex");
}

/** SHA-256 as hex, synchronously (node:crypto): for many values at once, such as an import's confirmation links. */
export function sha256HexSync(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}
