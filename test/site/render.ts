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
