import { desc, gt } from "drizzle-orm";
import { incidents, pageSettings } from "@/db/schema";
import type { Db } from "@/db/client";
import type { StartKey } from "@/api/services/history-read-model";
import { monthKey } from "@/present/calendar";
import { publishedBadges } from "./badges";
import { publishedEmbedScript } from "./embed";
import { allHistoryPages, pathsOf, planHistoryPages } from "./history-pages";
import type { Compressor } from "./page";
import { type Change, createPublishQueue, emptyChange, type Pending } from "./publish-queue";
import { createPageRenderer, type Rendered, type Renderer } from "./render-pages";
import type { PageStore, PublishMarker } from "./serve";
import { loadSnapshot } from "./snapshot";

export type { Change } from "./publish-queue";
export type { Renderer } from "./render-pages";

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
  /** Where a successful publish is told (default: `log`); Workers print it as information, not as an error. */
  info?: (message: string) => void;
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
  /** Renders a mirror's copy of the page: its subscribe form posts to `liveUrl`, or is left out without one. */
  mirror?: { liveUrl: string | null };
  /** Told how each publish went (metrics): its duration, the pages it wrote, and whether it failed. */
  onPublished?: (outcome: { seconds: number; pages: number; ok: boolean }) => void;
};

const chunkSize = 200;
/** Writes commit a moment before they are touched; resuming from a little earlier than recorded covers that gap. */
const resumeMargin = 5_000;

/**
 * Renders the pages a change touches and swaps them in, one publish at a time (see publish-queue.ts), and keeps the
 * marker that lets a restart republish only what changed since.
 */
export function createPublisher(options: PublisherOptions) {
  const { db, clock, store } = options;
  const rendererVersion = options.rendererVersion ?? "unversioned";
  const log = options.log ?? (() => {});
  const info = options.info ?? log;
  const render = createPageRenderer(options);
  const queue = createPublishQueue({ clock, log, publish, maxAttempts: options.maxAttempts });
  const { state, touch } = queue;

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

  /** Publishes one change, then records how far the published set goes (the marker) when it may. */
  async function publish(change: Pending, more: () => boolean) {
    const startedAt = clock();
    const timer = performance.now();
    const pages = await publishPages(change).catch((error: unknown) => {
      options.onPublished?.({ seconds: (performance.now() - timer) / 1000, pages: 0, ok: false });
      throw error;
    });
    options.onPublished?.({ seconds: (performance.now() - timer) / 1000, pages, ok: true });
    // The marker says "everything up to here is published": not while the history is still being rendered.
    const checked = change.resume || change.everything || !options.markerOnlyAfterResume;
    if (checked && !more() && !state.historyRendering && !options.historyOnly) {
      await store.writeMarker(await currentMarker(startedAt));
    }
  }

  /** Returns how many pages it wrote. */
  async function publishPages(change: Pending): Promise<number> {
    if (change.resume && !change.everything) await resolveResume(change);
    const now = clock();
    // Taken before any data is read: the store keeps, of two racing publishes, the one that read later.
    const readAt = (await store.readStamp?.(now)) ?? now;
    const snapshot = await loadSnapshot(db, now, options.siteUrl);
    const tz = snapshot.page.timeZone;

    const ids = change.everything
      ? (await db.select({ id: incidents.id }).from(incidents).orderBy(desc(incidents.startedAt))).map((r) => r.id)
      : [...new Set(change.incidents)];
    const written: StartKey[] = [];
    // An ordinary change remembers where its incidents sit, for the history pages that list them.
    const renderIncidents = (slice: string[]) =>
      render.incidentPages(snapshot, slice, (view) => {
        if (!change.everything) written.push({ id: view.id, startedAt: view.startedAt, createdAt: view.createdAt });
      });

    if (change.everything) {
      let count = 0;
      const putAll = async (rendered: Rendered) => {
        count += rendered.pages.length;
        await store.replace(rendered.pages, [], readAt);
      };
      // The page-wide documents first, so a fresh start serves the front page at once; then the whole history in
      // chunks, so memory stays flat however long it is; then pages that no longer have content go.
      if (!options.historyOnly) {
        const badges = await publishedBadges(snapshot, store, options.compress);
        const embed = await publishedEmbedScript(options.renderer, store, options.compress);
        const pageWide = [...(await render.pageWide(snapshot, now)).pages, ...badges.pages, ...embed];
        count += pageWide.length;
        await store.replace(pageWide, badges.deletions, readAt);
      }
      state.ready = true;
      for (let i = 0; i < ids.length; i += chunkSize) {
        await putAll(await renderIncidents(ids.slice(i, i + chunkSize)));
      }
      const monthPages = await allHistoryPages(db, now, tz);
      for (let i = 0; i < monthPages.length; i += chunkSize) {
        await putAll(await render.monthPages(snapshot, monthPages.slice(i, i + chunkSize), now));
      }
      const live = new Set([...ids.map((id) => `/incidents/${id}`), ...monthPages.flatMap(pathsOf)]);
      const orphans = (await store.paths()).filter(
        (p) => (p.startsWith("/incidents/") || p.startsWith("/history/")) && !live.has(p),
      );
      await store.replace([], orphans, readAt);
      info(`published everything: ${ids.length} incidents, ${monthPages.length} history pages`);
      return count;
    }
    // An ordinary change goes out as one set, so no reader sees a link to a page that is not there yet.
    const rendered: Rendered[] = [];
    for (let i = 0; i < ids.length; i += chunkSize) rendered.push(await renderIncidents(ids.slice(i, i + chunkSize)));
    const plan = await planHistoryPages(
      db,
      now,
      tz,
      { incidents: written, deleted: change.deleted, months: [...change.months, monthKey(now, tz)] },
      async (path) => (await store.etagAt(path)) !== undefined,
    );
    const badges = await publishedBadges(snapshot, store, options.compress);
    rendered.push(await render.pageWide(snapshot, now), await render.monthPages(snapshot, plan.render, now));
    const pages = [
      ...rendered.flatMap((r) => r.pages),
      ...badges.pages,
      ...(await publishedEmbedScript(options.renderer, store, options.compress)),
    ];
    // A page rendered again stays, whether its bytes changed or not.
    const stillThere = new Set([...rendered.flatMap((r) => r.paths), ...pages.map((p) => p.path)]);
    const deletions = [...change.deleted.map((d) => `/incidents/${d.id}`), ...plan.remove, ...badges.deletions].filter(
      (path) => !stillThere.has(path),
    );
    await store.replace(pages, deletions, readAt);
    state.ready = true;
    info(`published ${pages.length} pages${deletions.length ? `, removed ${deletions.length}` : ""}`);
    return pages.length;
  }

  return { touch, idle: queue.idle, settled: queue.settled, state };
}

export type Publisher = ReturnType<typeof createPublisher>;
