// POST on Node with node:http. fetch (undici) copies every body before sending it and wraps it in web streams, which
// for a fan-out's 400 KB batches was a tenth of the work and much of the garbage collection.
import http from "node:http";
import https from "node:https";
import type { HttpPost } from "./http-post";

// An answer longer than this is cut: a batch answer is a few KB of ids.
const maxAnswerBytes = 1024 * 1024;
const agents = {
  "http:": new http.Agent({ keepAlive: true }),
  "https:": new https.Agent({ keepAlive: true }),
};

export const nodePost: HttpPost = (url, headers, body, timeoutMs) =>
  new Promise((resolve, reject) => {
    const target = new URL(url);
    const client = target.protocol === "https:" ? https : http;
    const request = client.request(
      target,
      {
        method: "POST",
        headers: { ...headers, "content-length": String(body.byteLength) },
        agent: target.protocol === "https:" ? agents["https:"] : agents["http:"],
      },
      (response) => {
        const chunks: Buffer[] = [];
        let length = 0;
        response.on("data", (chunk: Buffer) => {
          length += chunk.length;
          if (length <= maxAnswerBytes) chunks.push(chunk);
        });
        response.on("error", reject);
        response.on("end", () => {
          const flat: Record<string, string> = {};
          for (const [name, value] of Object.entries(response.headers)) {
            if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(", ") : value;
          }
          resolve({ status: response.statusCode ?? 0, headers: flat, text: Buffer.concat(chunks).toString("utf8") });
        });
      },
    );
    const timer = setTimeout(() => request.destroy(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
    request.on("close", () => clearTimeout(timer));
    request.on("error", reject);
    request.end(body);
  });
