import MarkdownIt from "markdown-it";

// Staff write update bodies in Markdown; readers' browsers must never run or fetch anything from them.
// `html: false` escapes raw HTML instead of passing it through.
const md = new MarkdownIt({ html: false, linkify: true, breaks: true });

// Images would make readers' browsers fetch third-party URLs (and the page must not depend on other hosts),
// so `![alt](url)` stays a plain link.
md.disable("image");

const allowedSchemes = new Set(["http", "https", "mailto"]);
const defaultValidateLink = md.validateLink.bind(md);

/** Only http(s) and mailto links, or scheme-less (relative) ones; markdown-it's own check (javascript:, data:…) runs first. */
md.validateLink = (url: string): boolean => {
  if (!defaultValidateLink(url)) return false;
  const end = url.search(/[:/?#]/);
  if (end === -1 || url[end] !== ":") return true;
  return allowedSchemes.has(url.slice(0, end).toLowerCase());
};

md.renderer.rules.link_open = (tokens, idx, options, _env, self) => {
  tokens[idx].attrSet("rel", "nofollow noopener");
  return self.renderToken(tokens, idx, options);
};

// Bodies sit below the page's own h1–h3, so their headings start at h4 to keep the outline in order. A text that sits
// right under its own heading (a postmortem) names its top level instead: its highest heading, whatever its number of
// `#`, becomes that level, so the outline never skips one (axe's heading-order).
md.core.ruler.push("demote_headings", (state) => {
  const headings = state.tokens.filter((t) => t.type === "heading_open" || t.type === "heading_close");
  const top = (state.env as { topHeading?: number } | undefined)?.topHeading;
  const highest = Math.min(...headings.map((t) => Number(t.tag.slice(1))));
  const shift = top === undefined ? 3 : top - highest;
  for (const token of headings) token.tag = `h${Math.min(6, Number(token.tag.slice(1)) + shift)}`;
});

// An update's body is shown on several pages (its incident's, `/`, the history, its month) and in its emails, and a
// publish renders them all within milliseconds: each body is rendered once and the HTML kept, within a byte budget.
const keptBytes = 1024 * 1024;
const kept = new Map<string, string>();
let keptSize = 0;

// What staff write in an outage: a heading, emphasis, a list, a link, a bare address, a time, code.
const sample = `### What we know

Since **14:05** tix1 *fails* at the payment step; \`tix2\` is fine.

- Sell at the box office.
- Details on [the provider's page](https://status.example.net) and https://example.org/status.

1. First
2. Second

> Next update by 15:00.`;

/**
 * Renders a sample body a few times, so markdown-it's lazily built rules and V8's compiled code are ready before the
 * first real update: on a fresh server the first body with a list and a link took 11 ms, the fourth under 1 ms, and
 * that first one is a new incident's, rendered while readers arrive.
 */
export function warmMarkdown(): void {
  for (let i = 0; i < 4; i++) md.render(sample);
}

/**
 * Renders a body now if its HTML is not kept yet, so that a page showing it later finds it; tells whether it had to.
 * The publisher calls it a body at a time, giving readers a turn between bodies (a long body takes milliseconds).
 */
export function keepRendered(text: string): boolean {
  if (kept.has(text)) return false;
  renderMarkdown(text);
  return true;
}

/**
 * Renders staff-written Markdown to HTML that is safe to insert with `set:html`. `topHeading` is the level the text's
 * highest heading takes (default: `#` is h4); only the default rendering is kept.
 */
export function renderMarkdown(text: string, options: { topHeading?: number } = {}): string {
  if (options.topHeading !== undefined) return md.render(text, { ...options });
  const known = kept.get(text);
  if (known !== undefined) {
    // Most recently used last: the oldest goes first when the budget is full.
    kept.delete(text);
    kept.set(text, known);
    return known;
  }
  const html = md.render(text);
  const size = 2 * (text.length + html.length);
  if (size > keptBytes / 8) return html;
  kept.set(text, html);
  keptSize += size;
  for (const [oldText, oldHtml] of kept) {
    if (keptSize <= keptBytes) break;
    kept.delete(oldText);
    keptSize -= 2 * (oldText.length + oldHtml.length);
  }
  return html;
}
