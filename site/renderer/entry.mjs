import { App } from "astro/app";

export function createExports(manifest) {
  const app = new App(manifest, false);
  return {
    /** Renders one page: `path` is a site path such as "/incidents/abc", `locals` the data it shows. */
    render: async (path, locals) => {
      const response = await app.render(new Request(`http://marquee.invalid${path}`), { locals });
      return { status: response.status, html: await response.text() };
    },
  };
}
