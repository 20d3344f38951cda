import { existsSync, readdirSync, rmSync } from "node:fs";
import { prepareExportDir, writeExportMarker } from "./publish/export-dir";
import { join, resolve } from "node:path";
import { parseConfig } from "./config";
import { loadRenderer } from "./node-runtime";
import { zlibCompressor } from "./publish/zlib-compressor";
import { openNodeDb } from "@/db/node";
import { FileStore } from "./publish/file-store";
import { createPublisher } from "./publish/publisher";

// `npm run export -- <dir>`: renders every page from the database in DATA_DIR as plain files (with .gz and .br
// siblings) that any static host can serve, so the status page can live apart from what it reports on.
// With --live, it renders into the server's own published set instead (DATA_DIR/site, kept as it is): the server
// runs it so, in a child process, to render a whole history without growing its own memory.
const live = process.argv.includes("--live");
const target = process.argv.slice(2).find((a) => !a.startsWith("--"));
if (!target) {
  console.error("Usage: npm run export -- <directory>");
  process.exit(2);
}
try {
  const config = parseConfig(process.env);
  const file = join(config.dataDir, "marquee.db");
  if (!existsSync(file)) throw new Error(`There is no database at ${file}: start Marquee once, or set DATA_DIR`);
  // Refuses a directory holding the database or files the export did not write, before anything is deleted.
  const dir = live ? resolve(target) : prepareExportDir(target, file);
  const { db, close } = openNodeDb(file);
  const store = new FileStore(dir, 0);
  const publisher = createPublisher({
    db,
    clock: Date.now,
    renderer: await loadRenderer(),
    store,
    compress: zlibCompressor,
    siteUrl: config.siteUrl,
    log: (m) => console.error(m),
    maxAttempts: 1,
    historyOnly: live,
    // A copy elsewhere sends subscribers to the live page, or says to go there when it does not know where that is.
    mirror: live ? undefined : { liveUrl: config.siteUrl ?? null },
  });
  publisher.touch({ everything: true });
  await publisher.idle();
  if (publisher.state.lastError) throw new Error(`Export failed: ${publisher.state.lastError}`);
  // The entity tags are for Marquee's own server; a static host computes its own.
  if (!live) {
    for (const f of readdirSync(dir, { recursive: true, encoding: "utf8" }))
      if (f.endsWith(".etag")) rmSync(join(dir, f));
  }
  close();
  const count = (await store.paths()).length;
  if (!live) writeExportMarker(dir);
  console.log(`Exported ${count} pages to ${dir}`);
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
