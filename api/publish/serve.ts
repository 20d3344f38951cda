import type { PublishedPage } from "./page";

/** Where published pages are kept. Lookups are synchronous on Node (memory, then disk). */
export interface PageStore {
  get(path: string): PublishedPage | undefined | Promise<PublishedPage | undefined>;
  /** Makes a whole set of new pages visible at once and removes the deleted paths. */
  replace(pages: PublishedPage[], deletions: string[]): Promise<void>;
  paths(): Promise<string[]>;
  /** What the published set was rendered from, so a restart republishes only what it must. */
  readMarker(): Promise<PublishMarker | undefined>;
  writeMarker(marker: PublishMarker): Promise<void>;
}

export type PublishMarker = {
  rendererVersion: string;
  settingsUpdatedAt: number;
  siteUrl: string | null;
  /** Every incident changed before this time (UTC ms) is published. */
  through: number;
};

export type Answer = { status: number; headers: Record<string, string>; body: Uint8Array | null };

/** Normalises a request path to a published path: no trailing slash, no index.html, no query. */
export function publishedPath(pathname: string): string {
  let path = pathname.replace(/\/index\.html$/, "/");
  if (path.length > 1 && path.endsWith("/")) path = path.slice(0, -1);
  return path;
}

function pickEncoding(acceptEncoding: string | null): "br" | "gzip" | null {
  if (!acceptEncoding) return null;
  const accepted = new Map<string, number>();
  for (const part of acceptEncoding.toLowerCase().split(",")) {
    const [name, ...params] = part.trim().split(";");
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    accepted.set(name!.trim(), q ? Number(q.slice(2)) : 1);
  }
  const weight = (name: string) => accepted.get(name) ?? (accepted.has("*") ? accepted.get("*")! : 0);
  if (weight("br") > 0) return "br";
  if (weight("gzip") > 0) return "gzip";
  return null;
}

function etagMatches(ifNoneMatch: string, etag: string): boolean {
  if (ifNoneMatch.trim() === "*") return true;
  return ifNoneMatch.split(",").some((t) => t.trim().replace(/^W\//, "") === etag);
}

/**
 * The answer to a GET or HEAD for a published page, from memory. Each encoding has its own entity tag, so caches
 * never mix a compressed body with an uncompressed one.
 */
export function answerFromPage(
  page: PublishedPage,
  method: string,
  headers: { ifNoneMatch: string | null; acceptEncoding: string | null },
): Answer {
  const encoding = pickEncoding(headers.acceptEncoding);
  const etag = encoding ? `${page.etag.slice(0, -1)}-${encoding}"` : page.etag;
  const base: Record<string, string> = {
    "content-type": page.contentType,
    etag,
    vary: "Accept-Encoding",
    // Short: a status page must show a change within seconds; revalidation is a cheap 304.
    "cache-control": "public, max-age=5, stale-while-revalidate=30",
    "x-content-type-options": "nosniff",
  };
  if (page.contentType.startsWith("application/json")) base["access-control-allow-origin"] = "*";
  if (headers.ifNoneMatch && etagMatches(headers.ifNoneMatch, etag)) return { status: 304, headers: base, body: null };
  const body = encoding === "br" ? page.br : encoding === "gzip" ? page.gzip : page.body;
  if (encoding) base["content-encoding"] = encoding;
  base["content-length"] = String(body.byteLength);
  return { status: 200, headers: base, body: method === "HEAD" ? null : body };
}
