import { createHash } from "node:crypto";
import type { PageStore } from "./serve";

/** A published document, compressed once when it is published and served as is. */
export type PublishedPage = {
  path: string;
  contentType: string;
  etag: string;
  body: Uint8Array;
  gzip: Uint8Array;
  br: Uint8Array;
};

export type Compressor = {
  gzip(data: Uint8Array): Uint8Array | Promise<Uint8Array>;
  br(data: Uint8Array): Uint8Array | Promise<Uint8Array>;
};

const contentTypes: Record<string, string> = {
  ".json": "application/json; charset=utf-8",
  ".rss": "application/rss+xml; charset=utf-8",
  ".atom": "application/atom+xml; charset=utf-8",
  ".xml": "application/xml; charset=utf-8",
  ".svg": "image/svg+xml",
  ".txt": "text/plain; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
};

export function contentTypeFor(path: string): string {
  const dot = path.lastIndexOf(".");
  const ext = dot > path.lastIndexOf("/") ? path.slice(dot) : "";
  return contentTypes[ext] ?? "text/html; charset=utf-8";
}

/** Where a site path lives as a plain file: pages as <path>/index.html, so any static host serves them. */
export function fileNameFor(path: string): string {
  if (path === "/") return "index.html";
  const trimmed = path.replace(/^\/+/, "");
  return contentTypeFor(path).startsWith("text/html") ? `${trimmed}/index.html` : trimmed;
}

/** A strong ETag from the body's SHA-256 (node:crypto, on Workers through `nodejs_compat`): synchronous and cheap. */
export function etagOf(body: Uint8Array): string {
  const digest = createHash("sha256").update(body).digest();
  return `"${digest.subarray(0, 12).toString("base64url")}"`;
}

export async function buildPage(path: string, text: string, compress: Compressor): Promise<PublishedPage> {
  return compressedPage(path, new TextEncoder().encode(text), compress);
}

/** A page from its encoded body, compressed both ways; `etag` when the caller has computed it already. */
export async function compressedPage(
  path: string,
  body: Uint8Array,
  compress: Compressor,
  etag = etagOf(body),
): Promise<PublishedPage> {
  const [gzip, br] = await Promise.all([compress.gzip(body), compress.br(body)]);
  return { path, contentType: contentTypeFor(path), etag, body, gzip, br };
}

/**
 * Whether the store already publishes these bytes at `path`, so a publish can leave the page alone. Never where
 * publishes can race (a store with `readStamp`): there every page is written, its newer stamp keeping a slower
 * publish of older data from replacing it.
 */
export async function alreadyPublished(store: PageStore, path: string, etag: string): Promise<boolean> {
  return !store.readStamp && (await store.etagAt(path)) === etag;
}
