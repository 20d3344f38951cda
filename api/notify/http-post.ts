// How a transport POSTs a request body and reads the answer: fetch, or on Node node-post.ts.

export type HttpAnswer = { status: number; headers: Record<string, string>; text: string };

/** Rejects when there is no answer (network error, timeout). */
export type HttpPost = (
  url: string,
  headers: Record<string, string>,
  body: Uint8Array<ArrayBuffer>,
  timeoutMs: number,
) => Promise<HttpAnswer>;

export const fetchPost: HttpPost = async (url, headers, body, timeoutMs) => {
  const response = await fetch(url, { method: "POST", headers, body, signal: AbortSignal.timeout(timeoutMs) });
  return {
    status: response.status,
    headers: Object.fromEntries(response.headers.entries()),
    text: await response.text(),
  };
};
