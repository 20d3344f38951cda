import { badgeDocuments } from "@/present/badges";
import type { SiteSnapshot } from "@/present/views";
import { buildPage, type Compressor, type PublishedPage } from "./page";
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
  const built = await Promise.all(Object.entries(documents).map(([path, text]) => buildPage(path, text, compress)));
  const pages: PublishedPage[] = [];
  for (const page of built) {
    if (store.readStamp || (await store.get(page.path))?.etag !== page.etag) pages.push(page);
  }
  // A deleted or renamed component's badges go, like the pages of a deleted incident.
  const deletions = (await store.paths(badgeFolder)).filter((p) => p.startsWith(badgeFolder) && !(p in documents));
  return { pages, deletions };
}
