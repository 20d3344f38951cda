import { badgeDocuments } from "@/present/badges";
import type { SiteSnapshot } from "@/present/views";
import { alreadyPublished, type Compressor, compressedPage, etagOf, type PublishedPage } from "./page";
import type { PageStore } from "./serve";

/** Where component badges live; `/badge.svg` and `/badge.json` sit beside it. */
export const badgeFolder = "/badge/";

/**
 * The badges to publish and the badge paths to remove. A badge whose bytes are already published is left alone, so
 * it is rewritten (and copied to a mirror) only when its status or name changes. Where publishes can race (Workers,
 * a store with `readStamp`), every badge is written as the other pages are: skipping one there could let a slower
 * publish of older data overwrite it. Its bytes, and so its ETag, are the same either way.
 */
export async function publishedBadges(snapshot: SiteSnapshot, store: PageStore, compress: Compressor) {
  const documents = badgeDocuments(snapshot);
  const pages: PublishedPage[] = [];
  // Compressed only when their bytes changed: a page has four badges per component, and most publishes change none.
  for (const [path, text] of Object.entries(documents)) {
    const body = new TextEncoder().encode(text);
    const etag = etagOf(body);
    if (!(await alreadyPublished(store, path, etag))) {
      pages.push(await compressedPage(path, body, compress, etag));
    }
  }
  // A deleted or renamed component's badges go, like the pages of a deleted incident.
  const deletions = (await store.paths(badgeFolder)).filter((p) => p.startsWith(badgeFolder) && !(p in documents));
  return { pages, deletions };
}
