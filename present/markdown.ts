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

// Bodies sit below the page's own h1–h3, so their headings start at h4 to keep the outline in order.
md.core.ruler.push("demote_headings", (state) => {
  for (const token of state.tokens) {
    if (token.type === "heading_open" || token.type === "heading_close") {
      token.tag = `h${Math.min(6, Number(token.tag.slice(1)) + 3)}`;
    }
  }
});

/** Renders staff-written Markdown to HTML that is safe to insert with `set:html`. */
export function renderMarkdown(text: string): string {
  return md.render(text);
}
