// /history.rss and /history.atom in the shape of Statuspage's feeds (reference/statuspage-v2.md §4). Both are built
// from the snapshot alone, never from the clock, so the same data gives byte-identical feeds (and stable ETags).
import RSS from "rss";
import { escapeText } from "@/present/escape";
import { publishedPostmortem, timelineUpdates } from "@/present/postmortem";
import type { IncidentView, PageInfo, SiteSnapshot, UpdateView } from "@/present/views";
import { clockInZone, dateInZone, isoInZone, monthInZone, wallClock, zoneAbbreviation } from "@/present/time";
import { updateStatusLabels } from "@/present/labels";

const incidentUrl = (page: PageInfo, id: string) => `${page.url}/incidents/${id}`;
const feedTitle = (page: PageInfo) => `${page.name} Status - Incident History`;
/** Statuspage's `<published>` is the latest update's time; a later postmortem moves only `<updated>` (§4). */
const latestUpdateAt = (i: IncidentView) => timelineUpdates(i)[0]?.displayAt ?? i.startedAt;

/** `Nov <var data-var='date'>25</var>, <var data-var='time'>15:20</var>`, as Statuspage marks up its dates. */
function markedTime(ms: number, timeZone: string, padDay: boolean): string {
  const day = String(wallClock(ms, timeZone).day);
  const date = padDay ? day.padStart(2, " ") : day;
  return `${monthInZone(ms, timeZone)} <var data-var='date'>${date}</var>, <var data-var='time'>${clockInZone(ms, timeZone)}</var>`;
}

/** The announced window that opens a maintenance item (§4; the exact format is UNCONFIRMED there). */
function scheduleBlock(i: IncidentView, timeZone: string): string {
  if (i.kind !== "maintenance" || i.scheduledFor === null || i.scheduledUntil === null) return "";
  const sameDay = dateInZone(i.scheduledFor, timeZone) === dateInZone(i.scheduledUntil, timeZone);
  const until = sameDay
    ? `<var data-var='time'>${clockInZone(i.scheduledUntil, timeZone)}</var>`
    : markedTime(i.scheduledUntil, timeZone, false);
  const zone = zoneAbbreviation(i.scheduledFor, timeZone);
  return `<p><strong>THIS IS A SCHEDULED EVENT ${markedTime(i.scheduledFor, timeZone, false)} - ${until} ${zone}</strong></p>`;
}

/** The item body: one paragraph per update, newest first; "Update" when the status repeats the previous one. */
export function historyHtml(i: IncidentView, timeZone: string): string {
  const block = (u: UpdateView, label: string) => {
    const when = `${markedTime(u.displayAt, timeZone, true)} ${zoneAbbreviation(u.displayAt, timeZone)}`;
    const body = escapeText(u.body).replace(/\r?\n/g, "<br />");
    return `<p><small>${when}</small><br><strong>${label}</strong> - ${body}</p>`;
  };
  const updates = timelineUpdates(i);
  const blocks = updates.map((u, k) =>
    block(u, updates[k + 1]?.status === u.status ? "Update" : updateStatusLabels[u.status]),
  );
  // A published postmortem leads the entry, newest as it is, under its own label.
  const postmortem = publishedPostmortem(i);
  return scheduleBlock(i, timeZone) + (postmortem ? block(postmortem, "Postmortem") : "") + blocks.join("");
}

/** RSS 2.0, one item per incident or maintenance; the guid is the incident URL, as on Statuspage. */
export function historyRss(snapshot: SiteSnapshot): string {
  const { page } = snapshot;
  const feed = new RSS({
    // The package wraps titles and descriptions in CDATA, but readers take an RSS title as HTML: a title is text, so
    // it is escaped (which also keeps a `]]>` in it from ending the CDATA section).
    title: escapeText(feedTitle(page)),
    description: "Statuspage",
    site_url: page.url,
    feed_url: `${page.url}/history.rss`,
    generator: "Marquee",
    pubDate: new Date(snapshot.updatedAt),
  });
  for (const i of snapshot.feedItems) {
    feed.item({
      title: escapeText(i.name),
      description: historyHtml(i, page.timeZone),
      url: incidentUrl(page, i.id),
      date: new Date(latestUpdateAt(i)),
    });
  }
  return pinBuildDate(feed.xml(), snapshot.updatedAt);
}

/**
 * The rss package always stamps `<lastBuildDate>` with the current time; pin it to the data's own date. The channel's
 * is the first one after the channel title's CDATA, whose end the package escapes inside the title itself.
 */
function pinBuildDate(xml: string, updatedAt: number): string {
  const start = xml.indexOf("<lastBuildDate>", xml.indexOf("]]></title>"));
  const end = xml.indexOf("</lastBuildDate>", start);
  if (start < 0 || end < 0) return xml;
  return `${xml.slice(0, start)}<lastBuildDate>${new Date(updatedAt).toUTCString()}${xml.slice(end)}`;
}

const dnsName = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/i;

/**
 * The start of the feed's tag URIs (RFC 4151, `tag:authority,date:specific`). The authority is a DNS name, never a
 * port: a port (and an IPv6 literal, which is no DNS name) moves into the specific part, so every SITE_URL gives valid
 * ids, and a host without a port keeps the ids it always had (`tag:host,2005:Incident/…`, as Statuspage's, §4).
 */
function tagStart(url: string): { entity: string; place: string } {
  const { hostname, port } = new URL(url);
  const dns = dnsName.test(hostname);
  const place = [dns ? "" : hostname.replace(/^\[|\]$/g, ""), port].filter(Boolean).join(":");
  return { entity: `tag:${dns ? hostname : "ip6-literal.invalid"},2005:`, place };
}

/** Atom, hand-written: ids are tag URIs on the page's host, as Statuspage's are (§4). */
export function historyAtom(snapshot: SiteSnapshot): string {
  const { page } = snapshot;
  const tz = page.timeZone;
  const { entity, place } = tagStart(page.url);
  const url = escapeText(page.url);
  const entries = snapshot.feedItems.map((i) => {
    const published = latestUpdateAt(i);
    return [
      "<entry>",
      `<id>${escapeText(`${entity}${place ? `${place}/` : ""}Incident/${i.id}`)}</id>`,
      `<published>${isoInZone(published, tz)}</published>`,
      `<updated>${isoInZone(Math.max(i.updatedAt, published), tz)}</updated>`,
      `<link rel="alternate" type="text/html" href="${escapeText(incidentUrl(page, i.id))}"/>`,
      `<title>${escapeText(i.name)}</title>`,
      `<content type="html">${escapeText(historyHtml(i, tz))}</content>`,
      "</entry>",
    ].join("\n");
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<feed xml:lang="en-US" xmlns="http://www.w3.org/2005/Atom">',
    `<id>${escapeText(`${entity}${place}/history`)}</id>`,
    `<link rel="alternate" type="text/html" href="${url}"/>`,
    `<link rel="self" type="application/atom+xml" href="${url}/history.atom"/>`,
    `<title>${escapeText(feedTitle(page))}</title>`,
    `<updated>${isoInZone(snapshot.updatedAt, tz)}</updated>`,
    `<author><name>${escapeText(page.name)}</name></author>`,
    ...entries,
    "</feed>",
    "",
  ].join("\n");
}
