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
  gzip: (data) => new Uint8Array(gzipSync(data, { level: 9 })),
  br: (data) =>
    new Uint8Array(
      brotliCompressSync(data, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: brotliQuality,
          [constants.BROTLI_PARAM_SIZE_HINT]: data.byteLength,
        },
      }),
    ),
};
