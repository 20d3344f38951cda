import { brotliCompressSync, constants, gzipSync } from "node:zlib";
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

const gzipOptions = { level: 9 };

/**
 * Brotli's window sized to the page: the smallest that holds all of it (64 KB at least, 16 MB at most). Its default
 * window (4 MB) sizes the encoder's hash tables too, so every page, however small, allocated megabytes and gave
 * them back; a window that holds the whole page compresses it to the same bytes at a fraction of the cost
 * (docs/BENCHMARKS.md).
 */
export const brotliWindowBits = (byteLength: number) =>
  Math.min(24, Math.max(16, Math.ceil(Math.log2(byteLength + 16))));

const brotliOptions = (data: Uint8Array) => ({
  params: {
    [constants.BROTLI_PARAM_QUALITY]: brotliQuality,
    [constants.BROTLI_PARAM_LGWIN]: brotliWindowBits(data.byteLength),
    [constants.BROTLI_PARAM_SIZE_HINT]: data.byteLength,
  },
});
