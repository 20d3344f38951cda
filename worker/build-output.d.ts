// The page renderer and its version come from `npm run build` (dist/), mapped by [alias] in wrangler.toml, so the
// worker type-checks before anything is built.
declare module "marquee:renderer" {
  export function render(path: string, locals: object): Promise<{ status: number; html: string }>;
  export const inlineSources: { scripts: string[]; styles: string[] };
  export const embedScript: string;
}
declare module "marquee:renderer-version" {
  const build: { version: string };
  export default build;
}
