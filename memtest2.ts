import { brotliCompressSync, gzipSync, constants } from "node:zlib";
import { readFileSync } from "node:fs";
const mb = () => Math.round(process.memoryUsage().rss / 1e6);
const html = readFileSync("/tmp/mqm/site/index.html");
const mode = process.env.MODE;
console.log("start", mb(), html.length);
const t = performance.now();
for (let i = 0; i < 5000; i++) {
  const data = Buffer.concat([html, Buffer.from(String(i))]);
  if (mode === "gzip") gzipSync(data, { level: 9 });
  if (mode === "br10") brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 10, [constants.BROTLI_PARAM_SIZE_HINT]: data.length } });
  if (mode === "br10w18") brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 10, [constants.BROTLI_PARAM_LGWIN]: 18, [constants.BROTLI_PARAM_SIZE_HINT]: data.length } });
  if (mode === "br11w18") brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_LGWIN]: 18, [constants.BROTLI_PARAM_SIZE_HINT]: data.length } });
}
console.log(mode, "ms/op", ((performance.now() - t) / 5000).toFixed(2), "rss", mb());
