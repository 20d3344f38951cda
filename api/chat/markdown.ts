import MarkdownIt from "markdown-it";

/**
 * Staff write update bodies in Markdown; each chat platform renders its own dialect (Slack mrkdwn, Discord markdown,
 * the Adaptive Card TextBlock subset, Google Chat's card HTML subset). The body is parsed once into atoms, and a
 * dialect writes each atom. An atom is the smallest piece a cut may not split: an escape, a link, inline code.
 */
export type Atom =
  | { kind: "text"; raw: string }
  | { kind: "whole"; out: string }
  | { kind: "open"; out: string; close: string }
  | { kind: "close" };

export type Dialect = {
  /** Untrusted text as the platform shows it literally. */
  escape(raw: string): string;
  strong: [string, string];
  em: [string, string];
  strike: [string, string];
  heading: [string, string];
  code(raw: string): string;
  fence(raw: string): string;
  /** A link whose href already passed the scheme check; `text` is raw. */
  link(href: string, text: string): string;
  lineBreak: string;
  paragraph: string;
  bullet(ordinal: number | null, depth: number): string;
  quote: string;
  /** How the platform counts toward its limit (characters, or UTF-8 bytes of the JSON string). */
  measure(out: string): number;
};

const md = new MarkdownIt({ html: false, linkify: true, breaks: true });
type Token = ReturnType<typeof md.parse>[number];
md.disable("image");

const allowedSchemes = new Set(["http", "https", "mailto"]);
const defaultValidateLink = md.validateLink.bind(md);
// Only absolute http(s) and mailto links: a chat client has no base URL for relative ones, and `javascript:` or
// `data:` never become links (markdown-it's own check runs first).
md.validateLink = (url: string): boolean => {
  if (!defaultValidateLink(url)) return false;
  const colon = url.indexOf(":");
  return colon > 0 && allowedSchemes.has(url.slice(0, colon).toLowerCase());
};

const plainText = (children: Token[]) =>
  children.map((t) => (t.type === "text" || t.type === "code_inline" ? t.content : "")).join("");

/** Parses a Markdown body into the atoms of one dialect. */
export function markdownAtoms(body: string, d: Dialect): Atom[] {
  const atoms: Atom[] = [];
  const lists: { ordinal: number | null }[] = [];
  let quoted = 0;
  let cell = 0;
  let started = false;
  const block = (separator: string) => {
    if (started) atoms.push({ kind: "whole", out: separator });
    started = true;
  };
  for (const token of md.parse(body, {})) {
    switch (token.type) {
      case "paragraph_open":
      case "heading_open":
        if (!token.hidden) block(d.paragraph);
        if (quoted > 0 && d.quote) atoms.push({ kind: "whole", out: d.quote });
        if (token.type === "heading_open") atoms.push({ kind: "open", out: d.heading[0], close: d.heading[1] });
        break;
      case "heading_close":
        atoms.push({ kind: "close" });
        break;
      case "bullet_list_open":
      case "ordered_list_open":
        lists.push({ ordinal: token.type === "ordered_list_open" ? Number(token.attrGet("start") ?? 1) : null });
        break;
      case "bullet_list_close":
      case "ordered_list_close":
        lists.pop();
        break;
      case "list_item_open": {
        const list = lists[lists.length - 1]!;
        block(d.lineBreak);
        atoms.push({ kind: "whole", out: d.bullet(list.ordinal, lists.length - 1) });
        if (list.ordinal !== null) list.ordinal += 1;
        started = false; // the item's paragraph follows its bullet on the same line
        break;
      }
      case "list_item_close":
        started = true;
        break;
      case "blockquote_open":
        quoted += 1;
        break;
      case "blockquote_close":
        quoted -= 1;
        break;
      case "fence":
      case "code_block":
        block(d.paragraph);
        atoms.push({ kind: "whole", out: d.fence(token.content.replace(/\n$/, "")) });
        break;
      case "hr":
        block(d.paragraph);
        atoms.push({ kind: "whole", out: d.escape("———") });
        break;
      case "table_open":
        block(d.paragraph);
        started = false; // the first row follows the separator; the next ones each start a line
        break;
      case "tr_open":
        block(d.lineBreak);
        cell = 0;
        break;
      case "th_open":
      case "td_open":
        if (cell++ > 0) atoms.push({ kind: "text", raw: " | " });
        break;
      case "inline":
        inlineAtoms(token.children ?? [], d, atoms);
        break;
    }
  }
  return atoms;
}

function inlineAtoms(children: Token[], d: Dialect, atoms: Atom[]) {
  for (let i = 0; i < children.length; i++) {
    const t = children[i]!;
    switch (t.type) {
      case "text":
        atoms.push({ kind: "text", raw: t.content });
        break;
      case "softbreak":
      case "hardbreak":
        atoms.push({ kind: "whole", out: d.lineBreak });
        break;
      case "code_inline":
        atoms.push({ kind: "whole", out: d.code(t.content) });
        break;
      case "strong_open":
      case "em_open":
      case "s_open": {
        const pair = t.type === "strong_open" ? d.strong : t.type === "em_open" ? d.em : d.strike;
        atoms.push({ kind: "open", out: pair[0], close: pair[1] });
        break;
      }
      case "strong_close":
      case "em_close":
      case "s_close":
        atoms.push({ kind: "close" });
        break;
      case "link_open": {
        const end = children.findIndex((c, j) => j > i && c.type === "link_close");
        const inner = children.slice(i + 1, end === -1 ? children.length : end);
        atoms.push({ kind: "whole", out: d.link(String(t.attrGet("href") ?? ""), plainText(inner)) });
        i = end === -1 ? children.length : end;
        break;
      }
    }
  }
}

/** Plain text (a staff alert, a component name) as atoms: each line a text atom. */
export function plainAtoms(text: string, d: Dialect): Atom[] {
  return text
    .split(/\r?\n/)
    .flatMap((line, i): Atom[] => [
      ...(i > 0 ? [{ kind: "whole", out: d.lineBreak } as Atom] : []),
      { kind: "text", raw: line },
    ]);
}
