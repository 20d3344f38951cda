import { answerHeaders, type HeaderPolicy } from "@/api/security-headers";
import type { PublishedPage } from "./page";

/** Where published pages are kept. Lookups are synchronous on Node (memory, then disk). */
export interface PageStore {
  get(path: string): PublishedPage | undefined | Promise<PublishedPage | undefined>;
  /** The ETag of the page published at `path`, without reading the page itself. */
  etagAt(path: string): string | undefined | Promise<string | undefined>;
  /**
   * Makes a whole set of new pages visible at once and removes the deleted paths. `readAt` is when the data they show
   * was read: where publishes can race (Workers), a store keeps the newer page.
   */
  replace(pages: PublishedPage[], deletions: string[], readAt?: number): Promise<void>;
  /**
   * Where publishes can race, a stamp in the store's own order, taken just before the data is read: a later stamp
   * means later data. `now` is the caller's clock, which the stamp never falls behind.
   */
  readStamp?(now: number): Promise<number>;
  /** Every published path, or those under a folder (`/badge/`): listing one folder stays cheap beside a history. */
  paths(under?: string): Promise<string[]>;
  /** What the published set was rendered from, so a restart republishes only what it must. */
  readMarker(): Promise<PublishMarker | undefined>;
  writeMarker(marker: PublishMarker): Promise<void>;
  /** Drops pages kept in memory, after something else rewrote the published files. */
  clearMemory?(): void;
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

/**
 * The Accept-Encoding the reader's client sent. On Workers the runtime rewrites the header to "br, gzip" (the edge
 * compresses for the client) and keeps the client's own value in `request.cf.clientAcceptEncoding`: answering the
 * rewritten one would send brotli to clients that never asked for it.
 */
export function clientAcceptEncoding(request: Request): string | null {
  const original = (request as { cf?: { clientAcceptEncoding?: string } }).cf?.clientAcceptEncoding;
  return original !== undefined ? original : request.headers.get("accept-encoding");
}

type Encoding = "br" | "gzip" | "identity";

function parseAcceptEncoding(acceptEncoding: string): Encoding {
  const accepted = new Map<string, number>();
  for (const part of acceptEncoding.toLowerCase().split(",")) {
    const [name, ...params] = part.trim().split(";");
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    accepted.set(name!.trim(), q ? Number(q.slice(2)) : 1);
  }
  const weight = (name: string) => accepted.get(name) ?? (accepted.has("*") ? accepted.get("*")! : 0);
  if (weight("br") > 0) return "br";
  if (weight("gzip") > 0) return "gzip";
  return "identity";
}

// Browsers send a handful of distinct Accept-Encoding values; parsing each once keeps the hot path short.
const encodingCache = new Map<string, Encoding>();
function pickEncoding(acceptEncoding: string | null): Encoding {
  if (!acceptEncoding) return "identity";
  let encoding = encodingCache.get(acceptEncoding);
  if (encoding === undefined) {
    encoding = parseAcceptEncoding(acceptEncoding);
    if (encodingCache.size < 256) encodingCache.set(acceptEncoding, encoding);
  }
  return encoding;
}

function etagMatches(ifNoneMatch: string, etag: string): boolean {
  if (ifNoneMatch.trim() === "*") return true;
  return ifNoneMatch.split(",").some((t) => t.trim().replace(/^W\//, "") === etag);
}

type Variant = { etag: string; body: Uint8Array; ok: Record<string, string>; notModified: Record<string, string> };

/** Each page's three encodings with their headers, built on first use and kept as long as the page. */
const variantsOf = new WeakMap<PublishedPage, { policy: HeaderPolicy | undefined; v: Record<Encoding, Variant> }>();

function variants(page: PublishedPage, policy: HeaderPolicy | undefined): Record<Encoding, Variant> {
  const cached = variantsOf.get(page);
  if (cached && cached.policy === policy) return cached.v;
  const security = policy
    ? answerHeaders(policy, page.path, page.contentType)
    : { "x-content-type-options": "nosniff" };
  const make = (encoding: Encoding, body: Uint8Array): Variant => {
    // Each encoding has its own entity tag, so caches never mix a compressed body with an uncompressed one.
    const etag = encoding === "identity" ? page.etag : `${page.etag.slice(0, -1)}-${encoding}"`;
    const notModified: Record<string, string> = {
      "content-type": page.contentType,
      etag,
      vary: "Accept-Encoding",
      // Short: a status page must show a change within seconds; revalidation is a cheap 304. No
      // stale-while-revalidate: a reader reloading during an outage must not be shown a page half a minute old.
      "cache-control": "public, max-age=5",
      ...security,
      // Public JSON is read by widgets on other origins, which revalidate with the entity tag.
      ...(page.contentType.startsWith("application/json") && {
        "access-control-allow-origin": "*",
        "access-control-expose-headers": "ETag",
      }),
    };
    const ok = {
      ...notModified,
      ...(encoding !== "identity" && { "content-encoding": encoding }),
      "content-length": String(body.byteLength),
    };
    return { etag, body, ok, notModified };
  };
  const v = { identity: make("identity", page.body), gzip: make("gzip", page.gzip), br: make("br", page.br) };
  variantsOf.set(page, { policy, v });
  return v;
}

/**
 * The answer to a GET or HEAD for a published page: a memory lookup, nothing computed per request. `policy` gives
 * the security headers (api/security-headers.ts); every runtime passes the same one.
 */
export function answerFromPage(
  page: PublishedPage,
  method: string,
  headers: { ifNoneMatch: string | null; acceptEncoding: string | null },
  policy?: HeaderPolicy,
): Answer {
  const variant = variants(page, policy)[pickEncoding(headers.acceptEncoding)];
  if (headers.ifNoneMatch && etagMatches(headers.ifNoneMatch, variant.etag)) {
    return { status: 304, headers: variant.notModified, body: null };
  }
  return { status: 200, headers: variant.ok, body: method === "HEAD" ? null : variant.body };
}

/** The same answer as a fetch-style Response, for the Hono app and the Workers entry. */
export function responseFromPage(page: PublishedPage, request: Request, policy?: HeaderPolicy): Response {
  const answer = answerFromPage(
    page,
    request.method,
    { ifNoneMatch: request.headers.get("if-none-match"), acceptEncoding: clientAcceptEncoding(request) },
    policy,
  );
  return new Response(
    answer.body as Uint8Array<ArrayBuffer> | null,
    {
      status: answer.status,
      headers: answer.headers,
      // Workers: the body is already compressed as Content-Encoding says; without this it would be compressed again.
      encodeBody: "manual",
    } as ResponseInit,
  );
}
