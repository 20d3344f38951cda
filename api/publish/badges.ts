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
  // A deleted or renamed component's badges go, like the pages of a deleted incident. Listing the folder is a
  // directory walk (a D1 query on Workers), so it is skipped while the set of badges is one the folder was last found
  // to hold nothing besides: a new, renamed or deleted component changes the set, and a restart starts over.
  const names = Object.keys(documents).join("\n");
  if (cleanBadgeSets.get(store) === names) return { pages, deletions: [] };
  const deletions = (await store.paths(badgeFolder)).filter((p) => p.startsWith(badgeFolder) && !(p in documents));
  if (deletions.length === 0) cleanBadgeSets.set(store, names);
  return { pages, deletions };
}

/** Per store, the last set of badge paths whose folder held no other badge. */
const cleanBadgeSets = new WeakMap<PageStore, string>();
