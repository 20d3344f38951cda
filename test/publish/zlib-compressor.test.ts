import { brotliCompressSync, brotliDecompressSync, constants, gunzipSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { brotliWindowBits, zlibCompressor } from "@/api/publish/zlib-compressor";

// A page-like text of `size` bytes: repeated markup with enough variety that the window matters.
const pageOf = (size: number) => {
  let text = "";
  for (let i = 0; text.length < size; i++)
    text += `<li class="day d${i % 90}">Day ${i}: ${(i * 7919) % 1000} ms</li>\n`;
  return new TextEncoder().encode(text.slice(0, size));
};

describe("compressing a published page", () => {
  it.each([0, 1, 200, 57_000, 300_000, 3_000_000])(
    "gives back the same %i bytes from brotli and gzip",
    async (size) => {
      const page = pageOf(size);
      expect(Buffer.from(page).equals(brotliDecompressSync(await zlibCompressor.br(page)))).toBe(true);
      expect(Buffer.from(page).equals(gunzipSync(await zlibCompressor.gzip(page)))).toBe(true);
    },
  );

  it("sizes brotli's window to hold the whole page, which compresses it at least as small as the default window", () => {
    expect(brotliWindowBits(0)).toBe(16);
    expect(brotliWindowBits(65_520)).toBe(16);
    expect(brotliWindowBits(65_521)).toBe(17);
    expect(brotliWindowBits(300_000)).toBe(19);
    expect(brotliWindowBits(100_000_000)).toBe(24);
    for (const size of [57_000, 300_000]) {
      const page = pageOf(size);
      const defaultWindow = brotliCompressSync(page, {
        params: { [constants.BROTLI_PARAM_QUALITY]: 6, [constants.BROTLI_PARAM_SIZE_HINT]: size },
      });
      expect((zlibCompressor.br(page) as Uint8Array).byteLength).toBeLessThanOrEqual(defaultWindow.byteLength);
    }
  });
});
