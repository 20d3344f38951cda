import { contentTypeFor, type PublishedPage } from "@/api/publish/page";
import type { PageStore, PublishMarker } from "@/api/publish/serve";

/**
 * Published pages on Workers. D1 holds them (table published_pages); in front of it each isolate keeps pages it read
 * for a moment, and the data centre's Cache API keeps them a little longer, so a traffic spike costs one D1 read per
 * page and data centre every few seconds. A publish drops what it replaced from both, here; other data centres see
 * it when their copy expires (`edgeTtlSeconds`, the same few seconds a browser may keep a page).
 */
export class D1PageStore implements PageStore {
  constructor(
    private readonly db: D1Database,
    private readonly edge: Cache | undefined,
    private readonly origin = "https://marquee-pages.internal",
  ) {}

  async get(path: string): Promise<PublishedPage | undefined> {
    const now = Date.now();
    const remembered = isolateMemory.get(path);
    if (remembered && remembered.until > now) return remembered.page;
    let page = await this.fromEdge(path);
    if (!page) {
      page = await this.fromDatabase(path);
      if (page) await this.edge?.put(this.edgeKey(path), packed(page));
    }
    // A miss is remembered too: a flood of requests for a path that is no page costs one D1 read a second.
    remember(path, page, now);
    return page;
  }

  async etagAt(path: string): Promise<string | undefined> {
    const row = await this.db
      .prepare("SELECT etag FROM published_pages WHERE path = ?1")
      .bind(path)
      .first<{ etag: string }>();
    return row?.etag;
  }

  async replace(pages: PublishedPage[], deletions: string[], readAt = Date.now()): Promise<void> {
    // Only a rendering of newer data replaces a row. An unchanged page is written too: its newer `rendered_at` is
    // what keeps a slower publish of older data from replacing it afterwards.
    const upsert = this.db.prepare(
      `INSERT INTO published_pages (path, content_type, etag, body, gzip, br, rendered_at)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
       ON CONFLICT (path) DO UPDATE SET content_type = excluded.content_type, etag = excluded.etag,
         body = excluded.body, gzip = excluded.gzip, br = excluded.br, rendered_at = excluded.rendered_at
       WHERE excluded.rendered_at >= published_pages.rendered_at`,
    );
    const remove = this.db.prepare("DELETE FROM published_pages WHERE path = ?1 AND rendered_at <= ?2");
    const statements = [
      ...pages.map((p) => upsert.bind(p.path, p.contentType, p.etag, p.body, p.gzip, p.br, readAt)),
      ...deletions.map((path) => remove.bind(path, readAt)),
    ];
    // One batch is one transaction: readers see all of the set or none of it. D1 caps a batch's size, so a very
    // large set (a whole history) goes in several.
    for (let i = 0; i < statements.length; i += batchSize) await this.db.batch(statements.slice(i, i + batchSize));
    for (const path of [...pages.map((p) => p.path), ...deletions]) {
      isolateMemory.delete(path);
      await this.edge?.delete(this.edgeKey(path));
    }
  }

  async readStamp(now: number): Promise<number> {
    const row = await this.db
      .prepare(
        `INSERT INTO publish_clock (id, stamp) VALUES (1, ?1)
         ON CONFLICT (id) DO UPDATE SET stamp = max(publish_clock.stamp + 1, excluded.stamp)
         RETURNING stamp`,
      )
      .bind(now)
      .first<{ stamp: number }>();
    return row!.stamp;
  }

  async paths(under = "/"): Promise<string[]> {
    // A range on the primary key rather than LIKE, which would read every row: `under` + U+FFFF bounds the folder.
    const { results } = await this.db
      .prepare("SELECT path FROM published_pages WHERE path >= ?1 AND path < ?2")
      .bind(under, `${under}\uffff`)
      .all<{ path: string }>();
    return results.map((r) => r.path);
  }

  async readMarker(): Promise<PublishMarker | undefined> {
    const row = await this.db.prepare("SELECT marker FROM publish_marker WHERE id = 1").first<{ marker: string }>();
    return row ? (JSON.parse(row.marker) as PublishMarker) : undefined;
  }

  async writeMarker(marker: PublishMarker): Promise<void> {
    await this.db
      .prepare(
        `INSERT INTO publish_marker (id, marker) VALUES (1, ?1)
         ON CONFLICT (id) DO UPDATE SET marker = excluded.marker
         WHERE json_extract(excluded.marker, '$.through') >= json_extract(publish_marker.marker, '$.through')`,
      )
      .bind(JSON.stringify(marker))
      .run();
  }

  clearMemory(): void {
    isolateMemory.clear();
  }

  private edgeKey(path: string) {
    return `${this.origin}${path === "/" ? "/" : encodeURI(path)}`;
  }

  private async fromDatabase(path: string): Promise<PublishedPage | undefined> {
    const row = await this.db
      .prepare("SELECT content_type, etag, body, gzip, br FROM published_pages WHERE path = ?1")
      .bind(path)
      .first<{ content_type: string; etag: string; body: Blob; gzip: Blob; br: Blob }>();
    if (!row) return undefined;
    return {
      path,
      contentType: row.content_type,
      etag: row.etag,
      body: bytes(row.body),
      gzip: bytes(row.gzip),
      br: bytes(row.br),
    };
  }

  private async fromEdge(path: string): Promise<PublishedPage | undefined> {
    const hit = await this.edge?.match(this.edgeKey(path));
    return hit ? unpacked(path, new Uint8Array(await hit.arrayBuffer())) : undefined;
  }
}

/** Seconds the data centre's cache keeps a page, and milliseconds an isolate does. */
export const edgeTtlSeconds = 5;
const isolateTtlMs = 1_000;
const isolateMaxPages = 256;
const batchSize = 50;

// Module scope: shared by the requests an isolate serves. Plain bytes only, never an I/O object of a request.
const isolateMemory = new Map<string, { page: PublishedPage | undefined; until: number }>();

function remember(path: string, page: PublishedPage | undefined, now: number) {
  isolateMemory.delete(path);
  isolateMemory.set(path, { page, until: now + isolateTtlMs });
  if (isolateMemory.size > isolateMaxPages) isolateMemory.delete(isolateMemory.keys().next().value!);
}

/** D1 returns a BLOB as an ArrayBuffer or, in older runtimes, as an array of numbers. */
function bytes(value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  return new Uint8Array(value as number[]);
}

/** One cache entry per page: a small JSON header, then the three encodings back to back. */
function packed(page: PublishedPage): Response {
  const header = new TextEncoder().encode(
    JSON.stringify({ etag: page.etag, sizes: [page.body.byteLength, page.gzip.byteLength] }),
  );
  const out = new Uint8Array(4 + header.byteLength + page.body.byteLength + page.gzip.byteLength + page.br.byteLength);
  new DataView(out.buffer).setUint32(0, header.byteLength);
  let at = 4;
  for (const part of [header, page.body, page.gzip, page.br]) {
    out.set(part, at);
    at += part.byteLength;
  }
  return new Response(out, { headers: { "cache-control": `max-age=${edgeTtlSeconds}` } });
}

function unpacked(path: string, data: Uint8Array): PublishedPage | undefined {
  try {
    const headerLength = new DataView(data.buffer, data.byteOffset).getUint32(0);
    const header = JSON.parse(new TextDecoder().decode(data.subarray(4, 4 + headerLength))) as {
      etag: string;
      sizes: [number, number];
    };
    const start = 4 + headerLength;
    const [bodySize, gzipSize] = header.sizes;
    return {
      path,
      contentType: contentTypeFor(path),
      etag: header.etag,
      body: data.subarray(start, start + bodySize),
      gzip: data.subarray(start + bodySize, start + bodySize + gzipSize),
      br: data.subarray(start + bodySize + gzipSize),
    };
  } catch {
    return undefined;
  }
}
