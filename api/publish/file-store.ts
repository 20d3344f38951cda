import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { mkdir, rename, rm, writeFile } from "node:fs/promises";
import { dirname, join, relative, sep } from "node:path";
import { contentTypeFor, fileNameFor, type PublishedPage } from "./page";
import type { PageStore, PublishMarker } from "./serve";

const markerFile = ".published.json";

/**
 * Published pages as plain files (with .gz and .br siblings, as nginx's gzip_static expects) under one directory,
 * with the most recently used kept in memory up to a byte budget. The directory is also the static export.
 */
export class FileStore implements PageStore {
  private readonly memory = new Map<string, PublishedPage>();
  /** Pages read since they were last considered for eviction: they get a second chance (the "clock" policy). */
  private readonly used = new Set<string>();
  private memoryBytes = 0;

  constructor(
    readonly root: string,
    private readonly memoryBudget = 16 * 1024 * 1024,
  ) {
    mkdirSync(root, { recursive: true });
  }

  get(path: string): PublishedPage | undefined {
    const cached = this.memory.get(path);
    if (cached) {
      this.used.add(path);
      return cached;
    }
    const page = this.readFromDisk(path);
    if (page) this.remember(page);
    return page;
  }

  etagAt(path: string): string | undefined {
    const cached = this.memory.get(path);
    if (cached) return cached.etag;
    const file = this.fileOf(path);
    if (file === undefined) return undefined;
    try {
      return readFileSync(`${file}.etag`, "utf8");
    } catch {
      return undefined;
    }
  }

  // The file system is asynchronous here: a publish writes dozens of files, and readers must not wait on a slow disk.
  async replace(pages: PublishedPage[], deletions: string[]): Promise<void> {
    for (const page of pages) {
      const file = join(this.root, fileNameFor(page.path));
      await mkdir(dirname(file), { recursive: true });
      await Promise.all([
        writeAtomically(file, page.body),
        writeAtomically(`${file}.gz`, page.gzip),
        writeAtomically(`${file}.br`, page.br),
      ]);
      // The ETag last: a publish skips a page whose ETag matches, so it must never name bytes not yet written.
      await writeAtomically(`${file}.etag`, new TextEncoder().encode(page.etag));
    }
    for (const path of deletions) {
      const file = join(this.root, fileNameFor(path));
      await Promise.all(["", ".gz", ".br", ".etag"].map((suffix) => rm(file + suffix, { force: true })));
    }
    // Readers only see the new set once every file is written, and all of it at once.
    for (const page of pages) this.remember(page);
    for (const path of deletions) this.forget(path);
  }

  async paths(under = "/"): Promise<string[]> {
    const folder = under.replace(/^\/+|\/+$/g, "");
    if (folder.includes("..")) return [];
    return listFiles(join(this.root, folder))
      .filter((f) => !/\.(gz|br|etag|tmp)$/.test(f) && f !== markerFile)
      .map((f) => {
        const path = "/" + [folder, ...f.split(sep)].filter(Boolean).join("/");
        return path === "/index.html" ? "/" : path.replace(/\/index\.html$/, "");
      });
  }

  clearMemory(): void {
    this.memory.clear();
    this.used.clear();
    this.memoryBytes = 0;
  }

  async readMarker(): Promise<PublishMarker | undefined> {
    try {
      return JSON.parse(readFileSync(join(this.root, markerFile), "utf8")) as PublishMarker;
    } catch {
      return undefined;
    }
  }

  async writeMarker(marker: PublishMarker): Promise<void> {
    await writeAtomically(join(this.root, markerFile), new TextEncoder().encode(JSON.stringify(marker)));
  }

  /** Where a requested path's file lives, or undefined for a path that would leave the store's directory. */
  private fileOf(path: string): string | undefined {
    return path.includes("..") || path.includes("\0") ? undefined : join(this.root, fileNameFor(path));
  }

  private readFromDisk(path: string): PublishedPage | undefined {
    const file = this.fileOf(path);
    if (file === undefined) return undefined;
    try {
      const body = new Uint8Array(readFileSync(file));
      return {
        path,
        contentType: contentTypeFor(path),
        etag: readFileSync(`${file}.etag`, "utf8"),
        body,
        gzip: new Uint8Array(readFileSync(`${file}.gz`)),
        br: new Uint8Array(readFileSync(`${file}.br`)),
      };
    } catch {
      return undefined;
    }
  }

  private remember(page: PublishedPage) {
    this.forget(page.path);
    this.memory.set(page.path, page);
    this.memoryBytes += size(page);
    for (const [path, p] of this.memory) {
      if (this.memoryBytes <= this.memoryBudget) break;
      if (this.used.delete(path)) {
        this.memory.delete(path);
        this.memory.set(path, p);
      } else {
        this.forget(path);
      }
    }
  }

  private forget(path: string) {
    const old = this.memory.get(path);
    if (!old) return;
    this.memory.delete(path);
    this.used.delete(path);
    this.memoryBytes -= size(old);
  }
}

const size = (p: PublishedPage) => p.body.byteLength + p.gzip.byteLength + p.br.byteLength;

async function writeAtomically(file: string, data: Uint8Array) {
  await writeFile(`${file}.tmp`, data);
  await rename(`${file}.tmp`, file);
}

function listFiles(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => relative(root, join(d.parentPath, d.name)));
}
