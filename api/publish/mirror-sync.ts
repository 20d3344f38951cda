import { existsSync, readdirSync, readFileSync } from "node:fs";
import { chmod, copyFile, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { FileStore } from "./file-store";
import { fileNameFor, type PublishedPage } from "./page";

/**
 * The mirror's own rendering of the page, which also remembers the files each publish wrote or removed, so a mirror
 * update copies only those. Until the first copy it has nothing to go by and the whole set is compared.
 */
export class TrackingStore extends FileStore {
  private changed = new Set<string>();
  private all = true;

  override async replace(pages: PublishedPage[], deletions: string[]): Promise<void> {
    await super.replace(pages, deletions);
    for (const p of [...pages.map((p) => p.path), ...deletions]) this.changed.add(fileNameFor(p));
  }

  /** The page files changed since the last call (without their .gz and .br siblings), or "all". */
  takeChanged(): string[] | "all" {
    const taken = this.all ? "all" : [...this.changed];
    this.all = false;
    this.changed = new Set();
    return taken;
  }

  /** After a failed copy, the next one compares everything again. */
  markAllChanged(): void {
    this.all = true;
  }
}

/** What the mirror put in its directory: a later update removes only these, never a file someone else put there. */
type MirrorRecord = { dir: string; files: string[] };

/** Only what a static host serves: never the entity tags, the publish marker or a file being written. */
const isPublic = (f: string) => !/\.(etag|tmp)$/.test(f) && basename(f) !== ".published.json";

const inside = (parent: string, child: string) => {
  const r = relative(parent, child);
  return r === "" || (!r.startsWith("..") && !isAbsolute(r));
};

/** Refuses a mirror directory that holds Marquee's data, or overlaps the published set or the mirror's rendering. */
export function checkMirrorDir(dir: string, dataDir: string, internal: string[]): void {
  const target = resolve(dir);
  if (inside(target, resolve(dataDir))) {
    throw new Error(`MIRROR_DIR ${target} holds Marquee's data directory (${resolve(dataDir)}): choose another one`);
  }
  for (const other of internal.map((d) => resolve(d))) {
    if (inside(target, other) || inside(other, target)) {
      throw new Error(`MIRROR_DIR ${target} overlaps Marquee's own ${other}: choose another directory`);
    }
  }
}

function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join("/"));
}

function readRecord(file: string): MirrorRecord | undefined {
  try {
    const record = JSON.parse(readFileSync(file, "utf8")) as MirrorRecord;
    return Array.isArray(record.files) && typeof record.dir === "string" ? record : undefined;
  } catch {
    return undefined;
  }
}

/** Written beside and renamed over: a web server reading the directory sees the old file or the new, never half. */
async function place(from: string, to: string) {
  await makeReadableDir(dirname(to));
  const aside = join(dirname(to), `.${basename(to)}.marquee-tmp`);
  await copyFile(from, aside);
  // Marquee's own files are its user's alone (umask 077); the copy is public, for a web server running as another.
  await chmod(aside, 0o644);
  await rename(aside, to);
}

/** Creates `dir` as needed, each folder it creates open for reading (never one that was there before). */
async function makeReadableDir(dir: string) {
  const first = await mkdir(dir, { recursive: true });
  if (!first) return;
  for (let d = dir; d.startsWith(first); d = dirname(d)) await chmod(d, 0o755);
}

async function same(a: string, b: string) {
  try {
    return (await readFile(a)).equals(await readFile(b));
  } catch {
    return false;
  }
}

/**
 * Brings `dir` up to date with the rendered set in `stage`: the changed pages (or all of them) are copied in, the
 * pages gone from the set are removed. A directory the mirror has no record of must be empty.
 */
export async function syncMirror(stage: string, dir: string, recordFile: string, changed: string[] | "all") {
  const target = resolve(dir);
  const record = readRecord(recordFile);
  const known = record?.dir === target;
  if (!known) {
    const foreign = filesUnder(target)[0];
    if (foreign) {
      throw new Error(`MIRROR_DIR ${target} holds files Marquee did not put there (${foreign}): give it an empty one`);
    }
    changed = "all";
  }
  const ours = new Set(known ? record.files : []);
  const names =
    changed === "all"
      ? filesUnder(stage).filter(isPublic)
      : changed.flatMap((f) => [f, `${f}.gz`, `${f}.br`]).filter((f) => existsSync(join(stage, f)));
  const present = new Set(names);
  // Claimed before they are written: an update cut short leaves no file of ours that the next one takes for foreign.
  await writeRecord(recordFile, target, new Set([...ours, ...names]));
  for (const f of names) {
    if (changed !== "all" || !(await same(join(stage, f), join(target, f))))
      await place(join(stage, f), join(target, f));
    ours.add(f);
  }
  const gone =
    changed === "all"
      ? [...ours].filter((f) => !present.has(f))
      : changed.flatMap((f) => [f, `${f}.gz`, `${f}.br`]).filter((f) => !present.has(f) && ours.has(f));
  for (const f of gone) {
    await rm(join(target, f), { force: true });
    ours.delete(f);
  }
  await writeRecord(recordFile, target, ours);
  await makeReadableDir(target);
}

async function writeRecord(recordFile: string, dir: string, files: Set<string>) {
  await mkdir(dirname(recordFile), { recursive: true });
  await writeFile(`${recordFile}.tmp`, JSON.stringify({ dir, files: [...files].sort() } satisfies MirrorRecord));
  await rename(`${recordFile}.tmp`, recordFile);
}
