import { asc, inArray } from "drizzle-orm";
import type { Db } from "@/db/client";
import { incidents } from "@/db/schema";
import { loadIncidentViews } from "@/api/services/read-model";
import { monthKey } from "./calendar";
import { historyAtom, historyRss } from "./feeds";
import { historyIndexView, historyMonthView, monthPath, publishedMonths } from "./history";
import { buildPage, type Compressor, type PublishedPage } from "./page";
import type { PageStore } from "./serve";
import { loadSnapshot } from "./snapshot";
import { statuspageDocuments } from "./statuspage-json";
import type { SiteSnapshot, StatusPageView } from "./views";

/** The built Astro site: renders one page from the data it is given. */
export type Renderer = { render(path: string, locals: object): Promise<{ status: number; html: string }> };

/** What a write changed. Page-wide documents are republished after every change. */
export type Change = {
  incidents?: string[];
  deleted?: { id: string; startedAt: number }[];
  months?: string[];
  everything?: boolean;
};

export type PublisherOptions = {
  db: Db;
  clock: () => number;
  renderer: Renderer;
  store: PageStore;
  compress: Compressor;
  siteUrl?: string;
  log?: (message: string) => void;
  /** Give up after this many failed attempts at one change (the export does; the server never does). */
  maxAttempts?: number;
};

const chunkSize = 200;

/**
 * Renders the pages a change touches and swaps them in. Changes that arrive while a publish runs are merged and
 * published together right after, so a burst of writes costs one or two publishes, and a write never waits for one.
 */
export function createPublisher(options: PublisherOptions) {
  const { db, clock, renderer, store, compress } = options;
  const log = options.log ?? (() => {});
  let pending: Required<Change> | null = null;
  let running: Promise<void> | null = null;
  let failures = 0;
  const state = { publishedAt: null as number | null, lastError: null as string | null, publishes: 0 };

  function touch(change: Change) {
    const p = (pending ??= { incidents: [], deleted: [], months: [], everything: false });
    p.incidents.push(...(change.incidents ?? []));
    p.deleted.push(...(change.deleted ?? []));
    p.months.push(...(change.months ?? []));
    p.everything ||= change.everything ?? false;
    running ??= run();
  }

  async function run() {
    await new Promise((resolve) => setTimeout(resolve, 1));
    while (pending) {
      const change = pending;
      pending = null;
      try {
        await publish(change);
        failures = 0;
        state.publishedAt = clock();
        state.lastError = null;
        state.publishes++;
      } catch (error) {
        // Never lose a change: put it back and try again, waiting longer each time.
        failures++;
        state.lastError = error instanceof Error ? error.message : String(error);
        log(`publish failed (attempt ${failures}): ${error instanceof Error ? error.stack : error}`);
        if (failures >= (options.maxAttempts ?? Infinity)) break;
        touchLater(change);
        await new Promise((resolve) => setTimeout(resolve, Math.min(30_000, 250 * 2 ** failures)));
      }
    }
    running = null;
  }

  function touchLater(change: Required<Change>) {
    const p = (pending ??= { incidents: [], deleted: [], months: [], everything: false });
    p.incidents.push(...change.incidents);
    p.deleted.push(...change.deleted);
    p.months.push(...change.months);
    p.everything ||= change.everything;
  }

  async function render(path: string, locals: object): Promise<string> {
    const { status, html } = await renderer.render(path, locals);
    if (status !== 200) throw new Error(`Rendering ${path} answered ${status}`);
    return html;
  }

  async function publish(change: Required<Change>) {
    const now = clock();
    const snapshot = await loadSnapshot(db, now, options.siteUrl);
    const tz = snapshot.page.timeZone;
    const months = new Set(change.everything ? await publishedMonths(db, now, tz) : change.months);
    months.add(monthKey(now, tz));

    const ids = change.everything
      ? (await db.select({ id: incidents.id }).from(incidents).orderBy(asc(incidents.startedAt))).map((r) => r.id)
      : [...new Set(change.incidents)];
    const incidentPages: PublishedPage[] = [];
    for (let i = 0; i < ids.length; i += chunkSize) {
      const rows = await db.select().from(incidents).where(inArray(incidents.id, ids.slice(i, i + chunkSize)));
      for (const view of await loadIncidentViews(db, rows)) {
        months.add(monthKey(view.startedAt, tz));
        const html = await render(`/incidents/${view.id}`, { page: snapshot.page, incident: view });
        incidentPages.push(await buildPage(`/incidents/${view.id}`, html, compress));
      }
      // A full republish goes out in chunks, so memory stays flat however long the history is.
      if (change.everything) await store.replace(incidentPages.splice(0), []);
    }
    for (const d of change.deleted) months.add(monthKey(d.startedAt, tz));

    const texts: [string, string][] = [
      ["/", await render("/", statusPageView(snapshot))],
      ["/history", await render("/history", await historyIndexView(db, snapshot.page, now))],
      ["/history.rss", historyRss(snapshot)],
      ["/history.atom", historyAtom(snapshot)],
      ...Object.entries(statuspageDocuments(snapshot)).map(([path, doc]): [string, string] => [path, JSON.stringify(doc)]),
    ];
    for (const month of months) {
      texts.push([monthPath(month), await render(monthPath(month), await historyMonthView(db, snapshot.page, month, now))]);
    }
    const pages = [...incidentPages, ...(await Promise.all(texts.map(([path, text]) => buildPage(path, text, compress))))];
    const stillThere = new Set(ids);
    const deletions = change.deleted.filter((d) => !stillThere.has(d.id)).map((d) => `/incidents/${d.id}`);
    await store.replace(pages, deletions);
    log(`published ${pages.length} pages${deletions.length ? `, removed ${deletions.length}` : ""}`);
  }

  return {
    touch,
    /** Resolves once everything touched so far is published (or has failed and is waiting to retry). */
    async idle() {
      while (running) await running;
    },
    state,
  };
}

export type Publisher = ReturnType<typeof createPublisher>;

export function statusPageView(s: SiteSnapshot): StatusPageView {
  return {
    page: s.page,
    overall: s.overall,
    layout: s.layout,
    openIncidents: s.unresolvedIncidents,
    activeMaintenances: s.activeMaintenances,
    upcomingMaintenances: s.upcomingMaintenances,
    recentDays: s.recentDays,
  };
}
