import { readFile } from "node:fs/promises";
import { transform } from "esbuild";

/**
 * `import text from "./file.js?minified"`: the file's source minified by esbuild at build time, as a string. The
 * embed script is published as a document of its own and must stay small; its source stays readable.
 */
export default function minifiedText() {
  return {
    name: "marquee-minified-text",
    enforce: "pre",
    async load(id) {
      if (!id.endsWith("?minified")) return undefined;
      const file = id.slice(0, -"?minified".length);
      const { code } = await transform(await readFile(file, "utf8"), {
        loader: "js",
        minify: true,
        target: "es2020",
        legalComments: "none",
      });
      return `export default ${JSON.stringify(code.trim())};`;
    },
  };
}
