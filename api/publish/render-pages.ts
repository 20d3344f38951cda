import { inArray } from "drizzle-orm";
import type { Db } from "@/db/client";
import { incidents } from "@/db/schema";
import { inSlices, loadIncidentViews } from "@/api/services/read-model";
import { timeSlicer } from "@/api/event-loop";
import { embedView } from "@/present/embed";
import { keepRendered } from "@/present/markdown";
import { statuspageDocuments } from "@/present/statuspage";
import type { IncidentView, SiteSnapshot, StatusPageView } from "@/present/views";
import { historyAtom, historyRss } from "./feeds";
import { historyIndexView, historyMonthView } from "./history";
import { type MonthPage, pathsOf } from "./history-pages";
import { alreadyPublished, compressedPage, type Compressor, etagOf, type PublishedPage } from "./page";
import type { PageStore } from "./serve";
import type { InlineSources } from "@/api/security-headers";

/** The built Astro site: renders one page from the data it is given, and lists the inline code its pages carry. */
export type Renderer = {
  render(path: string, locals: object): Promise<{ status: number; html: string }>;
  inlineSources?: InlineSources;
  /** The embed script for customers' own sites, minified by the build (site/scripts/embed.js). */
  embedScript?: string;
};

/** What one step rendered: every path, and the pages among them whose bytes changed, compressed and ready to write. */
export type Rendered = { paths: string[]; pages: PublishedPage[] };

/**
 * Turns data into published pages (rendered, compressed): what a publish puts in the store. A page whose bytes the
 * store already holds is left out, neither compressed nor written again: a component's change leaves the history's
 * pages as they were, and a restart with a new build renders every incident page again, most of them the same.
 */
export function createPageRenderer({
  db,
  renderer,
  compress,
  store,
  mirror,
}: {
  db: Db;
  renderer: Renderer;
  compress: Compressor;
  store: PageStore;
  mirror?: StatusPageView["mirror"];
}) {
  // A page takes milliseconds to render and a publish renders several: readers are answered before each. Compressing
  // a large page, or rendering a long body's Markdown, takes milliseconds too; small documents share a turn.
  const turns = timeSlicer(4);

  async function render(path: string, locals: object): Promise<string> {
    await turns.next();
    const { status, html } = await renderer.render(path, locals);
    if (status !== 200) throw new Error(`Rendering ${path} answered ${status}`);
    return html;
  }

  /** The changed pages among `texts`; a page published at two paths (a month's newest) is compressed once. */
  async function changed(texts: [string, string][]): Promise<Rendered> {
    const pages: PublishedPage[] = [];
    let last: PublishedPage | undefined;
    for (const [path, text] of texts) {
      await turns.whenDue();
      const body = new TextEncoder().encode(text);
      const etag = etagOf(body);
      if (await alreadyPublished(store, path, etag)) continue;
      last = last?.etag === etag ? { ...last, path } : await compressedPage(path, body, compress, etag);
      pages.push(last);
    }
    return { paths: texts.map(([path]) => path), pages };
  }

  return {
    /** The incidents' own pages; `rendered` learns each incident rendered, for the history pages that list it. */
    async incidentPages(snapshot: SiteSnapshot, ids: string[], rendered: (view: IncidentView) => void) {
      const rows = await inSlices(ids, (s) => db.select().from(incidents).where(inArray(incidents.id, s)));
      const texts: [string, string][] = [];
      for (const view of await loadIncidentViews(db, rows)) {
        rendered(view);
        // A new update's Markdown is rendered before the page, not inside its render (a long body takes milliseconds).
        for (const update of view.updates) {
          await turns.whenDue();
          keepRendered(update.body);
        }
        const path = `/incidents/${view.id}`;
        texts.push([path, await render(path, { page: snapshot.page, incident: view })]);
      }
      return changed(texts);
    },

    /** The status page, `/history`, feeds and Statuspage JSON: what every change may alter. */
    async pageWide(snapshot: SiteSnapshot, now: number) {
      const texts: [string, string][] = [
        ["/", await render("/", { ...statusPageView(snapshot), mirror })],
        ["/history", await render("/history", await historyIndexView(db, snapshot.page, now))],
        ["/embed", await render("/embed", embedView(snapshot))],
        ["/history.rss", historyRss(snapshot)],
        ["/history.atom", historyAtom(snapshot)],
        ...Object.entries(statuspageDocuments(snapshot)).map(([path, doc]): [string, string] => [
          path,
          JSON.stringify(doc),
        ]),
      ];
      return changed(texts);
    },

    /** Month pages, each rendered once; the newest of a month is published at the bare month path too. */
    async monthPages(snapshot: SiteSnapshot, monthPages: MonthPage[], now: number) {
      const texts: [string, string][] = [];
      for (const p of monthPages) {
        const [path, ...aliases] = pathsOf(p);
        const html = await render(path!, await historyMonthView(db, snapshot.page, p.month, p.number, now));
        texts.push([path!, html], ...aliases.map((alias): [string, string] => [alias, html]));
      }
      return changed(texts);
    },
  };
}

export function statusPageView(s: SiteSnapshot): StatusPageView {
  return {
    page: s.page,
    overall: s.overall,
    layout: s.layout,
    openIncidents: s.unresolvedIncidents,
    activeMaintenances: s.activeMaintenances,
    upcomingMaintenances: s.upcomingMaintenances,
    recentDays: s.recentDays,
    uptime: s.uptime,
    responseTimes: s.responseTimes,
  };
}
