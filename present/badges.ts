// Status badges in the look of shields.io's "flat" style (https://shields.io/badges), and its endpoint JSON
// (https://shields.io/badges/endpoint-badge), so a README can show the page's status with an <img> or through
// shields' own renderer.
import type { ComponentStatus } from "@/db/schema";
import { textWidth } from "./badge-widths";
import { escapeText } from "./escape";
import { componentStatusLabels, componentStatusTones, indicatorTones, type Tone } from "./labels";
import type { OverallStatus, SiteSnapshot } from "./views";

/** A badge's two halves: the left names what it is about, the right says how it is. */
export type Badge = { label: string; message: string; tone: Tone };

export const labelColour = "#555555";
export const textColour = "#ffffff";

/** The message half's colour by tone. Each keeps white text at a contrast of at least 4.5:1 (WCAG AA). */
export const toneColours: Record<Tone, string> = {
  ok: "#1a7f37",
  minor: "#9a6700",
  major: "#bc4c00",
  critical: "#cf222e",
  maintenance: "#0969da",
};

export function overallBadge(overall: OverallStatus): Badge {
  return { label: "status", message: overall.description.toLowerCase(), tone: indicatorTones[overall.indicator] };
}

// Direction overrides would let a name show other words than it has ("tix1" reading "1xit"): a badge drops them.
const bidiControls = /[\u202A-\u202E\u2066-\u2069]/g;

export function componentBadge(name: string, status: ComponentStatus): Badge {
  return {
    label: name.replace(bidiControls, ""),
    message: componentStatusLabels[status].toLowerCase(),
    tone: componentStatusTones[status],
  };
}

const height = 20;
const padding = 5;
/** Text is laid out at ten times its size and scaled down, as shields does, so widths keep a tenth of a pixel. */
const at10 = (n: number) => Math.round(n * 10);

/**
 * The badge as SVG. Each half is as wide as its text in Verdana 11px plus padding; `textLength` holds the text to
 * that width, so a reader without Verdana (another font is used) never sees it overflow. Names are escaped: a
 * component called `<script>` is text, never markup.
 */
export function badgeSvg(badge: Badge): string {
  const label = badge.label.trim() || " ";
  const labelText = textWidth(label);
  const messageText = textWidth(badge.message);
  const labelWidth = Math.ceil(labelText + 2 * padding);
  const messageWidth = Math.ceil(messageText + 2 * padding);
  const width = labelWidth + messageWidth;
  const title = escapeText(`${label}: ${badge.message}`);
  const text = (content: string, centre: number, length: number) =>
    `<text x="${at10(centre)}" y="140" transform="scale(.1)" textLength="${at10(length)}">${escapeText(content)}</text>`;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" role="img" aria-label="${title}">`,
    `<title>${title}</title>`,
    // Rounded ends without a clip path: no ids that could clash when several badges are inlined in one page.
    `<rect width="${width}" height="${height}" rx="3" fill="${toneColours[badge.tone]}"/>`,
    `<rect width="${labelWidth}" height="${height}" rx="3" fill="${labelColour}"/>`,
    `<rect x="${labelWidth - 3}" width="3" height="${height}" fill="${labelColour}"/>`,
    `<g fill="${textColour}" text-anchor="middle" font-family="Verdana,Geneva,DejaVu Sans,sans-serif" ` +
      `text-rendering="geometricPrecision" font-size="110">`,
    text(label, labelWidth / 2, labelText),
    text(badge.message, labelWidth + messageWidth / 2, messageText),
    `</g></svg>`,
  ].join("");
}

/** shields.io's endpoint format: `https://img.shields.io/endpoint?url=<this document's address>` draws the badge. */
export function badgeJson(badge: Badge) {
  return { schemaVersion: 1, label: badge.label, message: badge.message, color: toneColours[badge.tone] };
}

/**
 * A component's name as a path segment: lowercase ASCII letters and digits joined by single dashes, accents dropped
 * ("Webtix (Köln)" → "webtix-koln"). Empty when nothing is left (a name in another script): such a component has
 * its id path only.
 */
export function slugOf(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 64)
    .replace(/-+$/, "");
}

type Subject = { id: string; name: string; status: ComponentStatus; createdAt: number };
const safeId = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The path names of each component and group: its id, and the slug of its name unless an older one holds that slug
 * (so a new "tix1" never takes over the badge an existing one is known by) or it reads as another's id.
 */
export function badgeNames(subjects: Subject[]): { subject: Subject; names: string[] }[] {
  const ids = new Set(subjects.map((s) => s.id));
  const taken = new Set<string>();
  const oldestFirst = [...subjects].sort((a, b) => a.createdAt - b.createdAt || a.id.localeCompare(b.id));
  return oldestFirst
    .filter((s) => safeId.test(s.id))
    .map((subject) => {
      const slug = slugOf(subject.name);
      const free = slug !== "" && slug !== subject.id && !ids.has(slug) && !taken.has(slug);
      if (free) taken.add(slug);
      return { subject, names: free ? [subject.id, slug] : [subject.id] };
    });
}

/** Every badge of the page by the path it is served at: `/badge.svg`, `/badge.json`, `/badge/{id or slug}.svg|json`. */
export function badgeDocuments(snapshot: SiteSnapshot): Record<string, string> {
  const documents: Record<string, string> = {};
  const add = (base: string, badge: Badge) => {
    documents[`${base}.svg`] = badgeSvg(badge);
    documents[`${base}.json`] = JSON.stringify(badgeJson(badge));
  };
  add("/badge", overallBadge(snapshot.overall));
  for (const { subject, names } of badgeNames([...snapshot.groups, ...snapshot.components])) {
    for (const name of names) add(`/badge/${name}`, componentBadge(subject.name, subject.status));
  }
  return documents;
}
