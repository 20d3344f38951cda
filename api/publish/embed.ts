import { alreadyPublished, buildPage, type Compressor, type PublishedPage } from "./page";
import type { Renderer } from "./render-pages";
import type { PageStore } from "./serve";

/** Where the embed script for customers' own sites is published (docs/embed.md). */
export const embedScriptPath = "/embed.js";

let built: { text: string; page: Promise<PublishedPage> } | undefined;

/**
 * The embed script as a published page, when the store does not hold these bytes yet. It comes with the renderer
 * build and changes only with it, so it is compressed once per process and written only after an upgrade; where
 * publishes can race (a store with `readStamp`), it is written every time, as badges are (badges.ts).
 */
export async function publishedEmbedScript(
  renderer: Renderer,
  store: PageStore,
  compress: Compressor,
): Promise<PublishedPage[]> {
  const text = renderer.embedScript;
  if (text === undefined) return [];
  if (built?.text !== text) built = { text, page: buildPage(embedScriptPath, text, compress) };
  const page = await built.page;
  return (await alreadyPublished(store, page.path, page.etag)) ? [] : [page];
}
