import { desc, gt, inArray } from "drizzle-orm";
import type { Db } from "@/db/client";
import { incidents, pageSettings } from "@/db/schema";
import { inSlices, loadIncidentViews } from "@/api/services/read-model";
import type { StartKey } from "@/api/services/history-read-model";
import { monthKey } from "./calendar";
import { historyAtom, historyRss } from "./feeds";
import { historyIndexView, historyMonthView } from "./history";
import { allHistoryPages, type MonthPage, pathsOf, planHistoryPages } from "./history-pages";
import { buildPage, type Compressor, type PublishedPage } from "./page";
import type { PageStore, PublishMarker } from "./serve";
import { loadSnapshot } from "./snapshot";
import { statuspageDocuments } from "./statuspage-json";
import type { SiteSnapshot, StatusPageView } from "./views";

/** The built Astro site: renders one page from the data it is given. */
export type Renderer = { render(path: string, locals: object): Promise<{ status: number; html: string }> };

/**
 * What a write changed. Page-wide documents are republished after every change. `resume` (at start) republishes what
 * changed since the last publish recorded in the store, or everything when the renderer or page settings differ.
 */
export type Change = {
  incidents?: string[];
  deleted?: { id: string; startedAt: number }[];
  months?: string[];
  everything?: boolean;
  resume?: boolean;
};

export type PublisherOptions = {
  db: Db;
  clock: () => number;
  renderer: Renderer;
  /** Identifies the renderer build: pages rendered by another build are rendered again at start. */
  rendererVersion?: string;
  store: PageStore;
  compress: Compressor;
  siteUrl?: string;
  log?: (message: string) => void;
  /** Give up after this many failed attempts at one change (the export does; the server never does). */
  maxAttempts?: number;
  /**
   * Renders every incident page into the store elsewhere (the Node server runs the export in a child process), so
   * a full republish after an upgrade does not grow the server's own memory. Without it, the publisher does it.
   */
  renderHistory?: () => Promise<void>;
  /**
   * Render the history only (incident pages and month pages), and record no marker: for the process that renders a
   * history into a live set, where the server publishes the page-wide documents itself from fresher data.
   */
  historyOnly?: boolean;
  /**
   * Record the marker only after a publish that checked it (`resume` or `everything`). On Workers each write
   * publishes in its own invocation, which never resumes: were it to record the marker after a deploy with a new
   * renderer, the next cron tick would take the old pages for new ones and never render them again.
   */
  markerOnlyAfterResume?: boolean;
};

const chunkSize = 200;
/** Writes commit a moment before they are touched; resuming from a little earlier than recorded covers that gap. */
const resumeMargin = 5_000;

type Pending = Required<Change>;
const emptyChange = (): Pending => ({ incidents: [], deleted: [], months: [], everything: false, resume: false });

/**
 * Renders the pages a change touches and swaps them in. Changes that arrive while a publish runs are merged and
 * published together right after, so a burst of writes costs one or two publishes, and a write never waits for one.
 */
export function createPublisher(options: PublisherOptions) {
  const { db, clock, renderer, store, compress } = options;
  const rendererVersion = options.rendererVersion ?? "unversioned";
  const log = options.log ?? (() => {});
  let pending: Pending | null = null;
  let running: Promise<void> | null = null;
  let failures = 0;
  const state = {
    ready: false,
    historyRendering: false,
    publishedAt: null as number | null,
    lastError: null as string | null,
    publishes: 0,
  };

  function merge(change: Change) {
    const p = (pending ??= emptyChange());
    p.incidents.push(...(change.incidents ?? []));
    p.deleted.push(...(change.deleted ?? []));
    p.months.push(...(change.months ?? []));
    p.everything ||= change.everything ?? false;
    p.resume ||= change.resume ?? false;
  }

  function touch(change: Change) {
    merge(change);
    running ??= run();
  }

  async function run() {
    await new Promise((resolve) => setTimeout(resolve, 1));
    while (pending) {
      const change = pending;
      pending = null;
      try {
        const startedAt = clock();
        await publish(change);
        failures = 0;
        state.publishedAt = clock();
        state.lastError = null;
        state.publishes++;
        // The marker says "everything up to here is published": not while the history is still being rendered.
        const checked = change.resume || change.everything || !options.markerOnlyAfterResume;
        if (checked && !pending && !state.historyRendering && !options.historyOnly) {
          await store.writeMarker(await currentMarker(startedAt));
        }
      } catch (error) {
        // Never lose a change: put it back and try again, waiting longer each time.
        failures++;
        state.lastError = error instanceof Error ? error.message : String(error);
        log(`publish failed (attempt ${failures}): ${error instanceof Error ? error.stack : error}`);
        if (failures >= (options.maxAttempts ?? Infinity)) break;
        merge(change);
        await new Promise((resolve) => setTimeout(resolve, Math.min(30_000, 250 * 2 ** failures)));
      }
    }
    running = null;
  }

  async function currentMarker(through: number): Promise<PublishMarker> {
    const [settings] = await db.select({ updatedAt: pageSettings.updatedAt }).from(pageSettings);
    return { rendererVersion, settingsUpdatedAt: settings?.updatedAt ?? 0, siteUrl: options.siteUrl ?? null, through };
  }

  /** Turns a `resume` into the incidents to render, or into `everything` when the published set is not ours. */
  async function resolveResume(change: Pending) {
    const marker = await store.readMarker();
    const current = await currentMarker(0);
    const same =
      marker &&
      marker.rendererVersion === current.rendererVersion &&
      marker.settingsUpdatedAt === current.settingsUpdatedAt &&
      marker.siteUrl === current.siteUrl;
    if (same) return pushChangedSince(change, marker.through);
    if (!options.renderHistory) {
      change.everything = true;
      return;
    }
    // The page-wide documents go out now; the incident and month pages are rendered elsewhere meanwhile, and what
    // changed during that is redone here afterwards, since the other process may have written older pages.
    const startedAt = clock();
    state.historyRendering = true;
    options.renderHistory().then(
      async () => {
        store.clearMemory?.();
        const redo = emptyChange();
        await pushChangedSince(redo, startedAt);
        state.historyRendering = false;
        touch(redo);
      },
      (error) => {
        log(
          `rendering the history elsewhere failed, rendering it here: ${error instanceof Error ? error.message : error}`,
        );
        state.historyRendering = false;
        touch({ everything: true });
      },
    );
  }

  async function pushChangedSince(change: Pending, since: number) {
    const changed = await db
      .select({ id: incidents.id })
      .from(incidents)
      .where(gt(incidents.updatedAt, since - resumeMargin));
    change.incidents.push(...changed.map((r) => r.id));
  }

  async function render(path: string, locals: object): Promise<string> {
    const { status, html } = await renderer.render(path, locals);
    if (status !== 200) throw new Error(`Rendering ${path} answered ${status}`);
    return html;
  }

  async function publish(change: Pending) {
    if (change.resume && !change.everything) await resolveResume(change);
    const now = clock();
    const snapshot = await loadSnapshot(db, now, options.siteUrl);
    const tz = snapshot.page.timeZone;

    const ids = change.everything
      ? (await db.select({ id: incidents.id }).from(incidents).orderBy(desc(incidents.startedAt))).map((r) => r.id)
      : [...new Set(change.incidents)];
    const written: StartKey[] = [];
    const renderIncidents = async (slice: string[]) => {
      const rows = await inSlices(slice, (s) => db.select().from(incidents).where(inArray(incidents.id, s)));
      const pages: PublishedPage[] = [];
      for (const view of await loadIncidentViews(db, rows)) {
        if (!change.everything) written.push({ id: view.id, startedAt: view.startedAt, createdAt: view.createdAt });
        const html = await render(`/incidents/${view.id}`, { page: snapshot.page, incident: view });
        pages.push(await buildPage(`/incidents/${view.id}`, html, compress));
      }
      return pages;
    };

    if (change.everything) {
      // The page-wide documents first, so a fresh start serves the front page at once; then the whole history in
      // chunks, so memory stays flat however long it is; then pages that no longer have content go.
      if (!options.historyOnly) await store.replace(await renderPageWide(snapshot, now), [], now);
      state.ready = true;
      for (let i = 0; i < ids.length; i += chunkSize) {
        await store.replace(await renderIncidents(ids.slice(i, i + chunkSize)), [], now);
      }
      const monthPages = await allHistoryPages(db, now, tz);
      for (let i = 0; i < monthPages.length; i += chunkSize) {
        await store.replace(await renderMonthPages(snapshot, monthPages.slice(i, i + chunkSize), now), [], now);
      }
      const live = new Set([...ids.map((id) => `/incidents/${id}`), ...monthPages.flatMap(pathsOf)]);
      const orphans = (await store.paths()).filter(
        (p) => (p.startsWith("/incidents/") || p.startsWith("/history/")) && !live.has(p),
      );
      await store.replace([], orphans, now);
      log(`published everything: ${ids.length} incidents, ${monthPages.length} history pages`);
      return;
    }
    // An ordinary change goes out as one set, so no reader sees a link to a page that is not there yet.
    const pages: PublishedPage[] = [];
    for (let i = 0; i < ids.length; i += chunkSize) pages.push(...(await renderIncidents(ids.slice(i, i + chunkSize))));
    const plan = await planHistoryPages(
      db,
      now,
      tz,
      { incidents: written, deleted: change.deleted, months: [...change.months, monthKey(now, tz)] },
      async (path) => (await store.get(path)) !== undefined,
    );
    pages.push(...(await renderPageWide(snapshot, now)), ...(await renderMonthPages(snapshot, plan.render, now)));
    const stillThere = new Set(pages.map((p) => p.path));
    const deletions = [...change.deleted.map((d) => `/incidents/${d.id}`), ...plan.remove].filter(
      (path) => !stillThere.has(path),
    );
    await store.replace(pages, deletions, now);
    state.ready = true;
    log(`published ${pages.length} pages${deletions.length ? `, removed ${deletions.length}` : ""}`);
  }

  /** The status page, `/history`, feeds and Statuspage JSON: what every change may alter. */
  async function renderPageWide(snapshot: SiteSnapshot, now: number) {
    const texts: [string, string][] = [
      ["/", await render("/", statusPageView(snapshot))],
      ["/history", await render("/history", await historyIndexView(db, snapshot.page, now))],
      ["/history.rss", historyRss(snapshot)],
      ["/history.atom", historyAtom(snapshot)],
      ...Object.entries(statuspageDocuments(snapshot)).map(([path, doc]): [string, string] => [
        path,
        JSON.stringify(doc),
      ]),
    ];
    return Promise.all(texts.map(([path, text]) => buildPage(path, text, compress)));
  }

  /** Month pages, each rendered once; the newest of a month is published at the bare month path too. */
  async function renderMonthPages(snapshot: SiteSnapshot, monthPages: MonthPage[], now: number) {
    const pages: PublishedPage[] = [];
    for (const p of monthPages) {
      const [path, ...aliases] = pathsOf(p);
      const html = await render(path!, await historyMonthView(db, snapshot.page, p.month, p.number, now));
      const page = await buildPage(path!, html, compress);
      pages.push(page, ...aliases.map((alias) => ({ ...page, path: alias })));
    }
    return pages;
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
    uptime: s.uptime,
  };
}
