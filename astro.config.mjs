import { defineConfig, passthroughImageService } from "astro/config";
import rendererAdapter from "./site/renderer/integration.mjs";
import minifiedText from "./site/renderer/minified.mjs";

export default defineConfig({
  srcDir: "./site",
  publicDir: "./site/public",
  outDir: "./dist",
  output: "server",
  adapter: rendererAdapter(),
  // Pages are published as whole documents; styles go inline so a page is one request.
  build: { inlineStylesheets: "always" },
  compressHTML: true,
  image: { service: passthroughImageService() },
  security: { checkOrigin: false },
  devToolbar: { enabled: false },
  vite: { plugins: [minifiedText()] },
});
