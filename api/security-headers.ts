import { createHash } from "node:crypto";

/** The inline scripts and styles the built pages carry, as the renderer build lists them (site/renderer/entry.mjs). */
export type InlineSources = { scripts: string[]; styles: string[] };

/**
 * Who may show a published page in a frame: nobody, except /embed, the page made for customers' sites to frame,
 * which anyone may. The staff console is never framed, whatever this says.
 */
export function frameAncestors(path: string): string {
  return path === embedPagePath ? "*" : "'none'";
}

/** The page customers' sites show in an iframe (docs/embed.md). */
export const embedPagePath = "/embed";

/** What every answer carries, and the Content-Security-Policy for an HTML document at a path. */
export type HeaderPolicy = {
  common: Record<string, string>;
  csp(path: string): string;
};

// node:crypto hashes synchronously, on Node and on Workers (nodejs_compat).
const hashSource = (source: string) => `'sha256-${createHash("sha256").update(source, "utf8").digest("base64")}'`;
const sourceList = (sources: string[]) => (sources.length ? [...new Set(sources.map(hashSource))].join(" ") : "'none'");

/**
 * The security headers, computed once per server from the renderer build and SITE_URL.
 *
 * Scripts and styles run only if the build put them there (by hash; no 'unsafe-inline'), so markup injected into a
 * page runs nothing. The refresh script fetches summary.json and the page itself ('self'); the favicon is a data:
 * URL; forms post only to this site. HSTS only when the page's public address is https: sent over plain HTTP it
 * would be ignored, and it would lock out a page served over HTTP on purpose.
 */
export function headerPolicy(sources: InlineSources | undefined, siteUrl: string | null | undefined): HeaderPolicy {
  const common: Record<string, string> = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    ...(siteUrl?.startsWith("https://") && { "strict-transport-security": "max-age=31536000" }),
  };
  const fixed = [
    "default-src 'none'",
    `script-src ${sourceList(sources?.scripts ?? [])}`,
    `style-src ${sourceList(sources?.styles ?? [])}`,
    "img-src 'self' data:",
    "connect-src 'self'",
    "form-action 'self'",
    "base-uri 'none'",
  ].join("; ");
  const csp = (path: string) =>
    `${fixed}; frame-ancestors ${path === "/admin" || path.startsWith("/admin/") ? "'none'" : frameAncestors(path)}`;
  return { common, csp };
}

/** The headers of an answer with this content type at this path. */
export function answerHeaders(policy: HeaderPolicy, path: string, contentType: string): Record<string, string> {
  if (contentType.startsWith("text/html")) return { ...policy.common, "content-security-policy": policy.csp(path) };
  // An SVG opened on its own is a document that could run script: a badge needs nothing, so it may load nothing.
  if (contentType.startsWith("image/svg+xml"))
    return { ...policy.common, "content-security-policy": "default-src 'none'" };
  return policy.common;
}
