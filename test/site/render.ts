import { readFileSync } from "node:fs";
// The built renderer (`npm test` builds first): pages are tested exactly as the publisher calls them.
type Render = (path: string, locals: object) => Promise<{ status: number; html: string }>;

const entryUrl = new URL("../../dist/server/entry.mjs", import.meta.url).href;
let loaded: Promise<Render> | undefined;

/** Renders a site path with the given view as `Astro.locals`; fails unless the page answers 200. */
export async function renderPage(path: string, view: object): Promise<string> {
  loaded ??= import(/* @vite-ignore */ entryUrl).then((m: { render: Render }) => m.render);
  const { status, html } = await (await loaded)(path, view);
  if (status !== 200) throw new Error(`${path} answered ${status}: ${html.slice(0, 500)}`);
  return html;
}

const ownScripts = ["local-times.js", "refresh.js"].map((name) =>
  readFileSync(new URL(`../../site/scripts/${name}`, import.meta.url), "utf8"),
);

/** The page without the site's own inline scripts; any other script, or one loaded from a URL, stays in. */
export function withoutOwnScripts(html: string): string {
  return html.replace(/<script( [^>]*)?>([\s\S]*?)<\/script>/g, (script, attributes = "", body: string) =>
    !/\bsrc=/.test(attributes) && ownScripts.includes(body) ? "" : script,
  );
}
