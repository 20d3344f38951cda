import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { isAbsolute, join, relative, resolve, sep } from "node:path";

/** Written by `npm run export` into its directory: the files it wrote there, which the next export may replace. */
export const exportMarker = ".marquee-export.json";

type Marker = { files: string[] };

/** Every file under `dir`, relative to it, with "/" separators. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => !e.isDirectory())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join("/"))
    .sort();
}

function readMarker(dir: string): Marker | undefined {
  const file = join(dir, exportMarker);
  if (!existsSync(file)) return undefined;
  try {
    const marker = JSON.parse(readFileSync(file, "utf8")) as Marker;
    return Array.isArray(marker.files) ? marker : undefined;
  } catch {
    return undefined;
  }
}

const inside = (parent: string, child: string) => {
  const r = relative(parent, child);
  return r === "" || (!r.startsWith("..") && !isAbsolute(r));
};

/**
 * Makes `target` ready for a fresh export, or refuses with a message saying why. The export replaces the directory's
 * contents, so it only clears a directory that is empty or holds nothing but what an earlier export wrote (listed in
 * its marker): never the database, never a directory someone else's files live in.
 */
export function prepareExportDir(target: string, databaseFile: string): string {
  const dir = resolve(target);
  const database = resolve(databaseFile);
  if (inside(dir, database)) {
    throw new Error(
      `Refusing to export into ${dir}: it holds Marquee's database (${database}). Choose another directory.`,
    );
  }
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true });
  } else if (!statSync(dir).isDirectory()) {
    throw new Error(`Refusing to export into ${dir}: it is a file, not a directory.`);
  }
  const present = filesUnder(dir);
  if (present.length > 0) {
    const marker = readMarker(dir);
    if (!marker) {
      throw new Error(
        `Refusing to export into ${dir}: it is not empty and was not written by an earlier export ` +
          `(no ${exportMarker}). Choose an empty or new directory.`,
      );
    }
    const ours = new Set([...marker.files, exportMarker]);
    const foreign = present.find((f) => !ours.has(f));
    if (foreign) {
      throw new Error(
        `Refusing to export into ${dir}: ${foreign} was not written by the export. ` +
          `Move it away, or choose an empty or new directory.`,
      );
    }
    for (const f of present) rmSync(join(dir, f));
    for (const sub of readdirSync(dir)) rmSync(join(dir, sub), { recursive: true });
  }
  // The marker is written once the export is complete: an interrupted export leaves a directory nobody vouches for.
  return dir;
}

/** Records what the export wrote, once it has finished writing. */
export function writeExportMarker(dir: string): void {
  const files = existsSync(dir) ? filesUnder(dir).filter((f) => f !== exportMarker) : [];
  writeFileSync(join(dir, exportMarker), JSON.stringify({ files } satisfies Marker, null, 1) + "\n");
}
