import { App } from "astro/app";
import localTimes from "../scripts/local-times.js?raw";
import refresh from "../scripts/refresh.js?raw";
import embed from "../scripts/embed.js?minified";
import embedRefresh from "../scripts/embed-refresh.js?raw";

export function createExports(manifest) {
  const app = new App(manifest, false);
  return {
    /** Renders one page: `path` is a site path such as "/incidents/abc", `locals` the data it shows. */
    render: async (path, locals) => {
      const response = await app.render(new Request(`http://marquee.invalid${path}`), { locals });
      return { status: response.status, html: await response.text() };
    },
    /**
     * The only inline scripts and styles the pages may run, taken from the build itself (never from a rendered page,
     * where injected markup would vouch for itself): the Content-Security-Policy allows these by hash.
     */
    /** The embed for customers' own sites, published at /embed.js (docs/embed.md). */
    embedScript: embed,
    inlineSources: {
      scripts: [localTimes, refresh, embedRefresh, ...[...(manifest.inlinedScripts ?? new Map()).values()]],
      styles: [
        ...new Set(manifest.routes.flatMap((r) => r.styles.filter((s) => s.type === "inline").map((s) => s.content))),
      ],
    },
  };
}
