// A minimal Astro adapter: the server build exposes one function, render(path, locals), that the publisher calls
// once per page with the page's data. Nothing is fetched by the pages themselves.
export default function rendererAdapter() {
  return {
    name: "marquee-renderer",
    hooks: {
      "astro:config:done": ({ setAdapter }) => {
        setAdapter({
          name: "marquee-renderer",
          serverEntrypoint: new URL("./entry.mjs", import.meta.url).pathname,
          exports: ["render", "inlineSources", "embedScript"],
          supportedAstroFeatures: { serverOutput: "stable", staticOutput: "stable", hybridOutput: "stable" },
        });
      },
    },
  };
}
