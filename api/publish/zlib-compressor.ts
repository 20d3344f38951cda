import { promisify } from "node:util";
import { brotliCompress, brotliCompressSync, constants, gzip, gzipSync } from "node:zlib";
import type { Compressor } from "./page";

// Quality 6 compresses a typical page in well under a millisecond, within about 10% of quality 10's size at a
// tenth of its time (docs/BENCHMARKS.md).
const brotliQuality = 6;

/**
 * Compression at publish time, through node:zlib: Node itself, and Workers with `nodejs_compat`. zlib's results can
 * be views into much larger buffers; a copy of the exact size keeps the page store's memory budget honest.
 */
export const zlibCompressor: Compressor = {
  gzip: (data) => new Uint8Array(gzipSync(data, gzipOptions)),
  br: (data) => new Uint8Array(brotliCompressSync(data, brotliOptions(data))),
};

const gzipInBackground = promisify(gzip);
const brotliInBackground = promisify(brotliCompress);

/**
 * The same compression on libuv's thread pool (Node): a publish compresses every page it writes twice, and done on
 * the main thread that held up the readers of the page for as long.
 */
export const backgroundZlibCompressor: Compressor = {
  gzip: async (data) => new Uint8Array(await gzipInBackground(data, gzipOptions)),
  br: async (data) => new Uint8Array(await brotliInBackground(data, brotliOptions(data))),
};

const gzipOptions = { level: 9 };
const brotliOptions = (data: Uint8Array) => ({
  params: {
    [constants.BROTLI_PARAM_QUALITY]: brotliQuality,
    [constants.BROTLI_PARAM_SIZE_HINT]: data.byteLength,
  },
});
