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
import { buildPage, type Compressor, type PublishedPage } from "./page";
import type { InlineSources } from "@/api/security-headers";

/** The built Astro site: renders one page from the data it is given, and lists the inline code its pages carry. */
export type Renderer = {
  render(path: string, locals: object): Promise<{ status: number; html: string }>;
  inlineSources?: InlineSources;
  /** The embed script for customers' own sites, minified by the build (site/scripts/embed.js). */
  embedScript?: string;
};

/** Turns data into published pages (rendered, compressed): what a publish puts in the store. */
export function createPageRenderer({
  db,
  renderer,
  compress,
  mirror,
}: {
  db: Db;
  renderer: Renderer;
  compress: Compressor;
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

  async function compressed(path: string, text: string): Promise<PublishedPage> {
    await turns.whenDue();
    return buildPage(path, text, compress);
  }

  return {
    /** The incidents' own pages; `rendered` learns each incident rendered, for the history pages that list it. */
    async incidentPages(snapshot: SiteSnapshot, ids: string[], rendered: (view: IncidentView) => void) {
      const rows = await inSlices(ids, (s) => db.select().from(incidents).where(inArray(incidents.id, s)));
      const pages: PublishedPage[] = [];
      for (const view of await loadIncidentViews(db, rows)) {
        rendered(view);
        // A new update's Markdown is rendered before the page, not inside its render (a long body takes milliseconds).
        for (const update of view.updates) {
          await turns.whenDue();
          keepRendered(update.body);
        }
        const html = await render(`/incidents/${view.id}`, { page: snapshot.page, incident: view });
        pages.push(await compressed(`/incidents/${view.id}`, html));
      }
      return pages;
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
      const pages: PublishedPage[] = [];
      for (const [path, text] of texts) pages.push(await compressed(path, text));
      return pages;
    },

    /** Month pages, each rendered once; the newest of a month is published at the bare month path too. */
    async monthPages(snapshot: SiteSnapshot, monthPages: MonthPage[], now: number) {
      const pages: PublishedPage[] = [];
      for (const p of monthPages) {
        const [path, ...aliases] = pathsOf(p);
        const html = await render(path!, await historyMonthView(db, snapshot.page, p.month, p.number, now));
        const page = await compressed(path!, html);
        pages.push(page, ...aliases.map((alias) => ({ ...page, path: alias })));
      }
      return pages;
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
