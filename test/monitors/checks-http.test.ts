import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { gzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import type { HttpCheck } from "@/api/monitors/check-types";
import { createNodeRunCheck, runCheck } from "@/api/monitors/node-checks";
import { waitUntil } from "@/test/support/wait";

type Handler = (req: IncomingMessage, res: ServerResponse) => void;
type Target = {
  url: string;
  port: number;
  server: Server;
  requests: { method?: string; url?: string; headers: IncomingMessage["headers"]; body: string }[];
  connections: number;
  closed: number;
  handle: Handler;
};

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise<void>((ok) => s.close(() => ok()));
  }
});

/** A local HTTP server on 127.0.0.1 whose answer the test sets, and which records what it was sent. */
async function startTarget(handle: Handler, port = 0): Promise<Target> {
  const target = { requests: [], connections: 0, closed: 0, handle } as unknown as Target;
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      target.requests.push({ method: req.method, url: req.url, headers: req.headers, body });
      target.handle(req, res);
    });
  });
  server.on("connection", (socket) => (target.connections++, socket.on("close", () => target.closed++)));
  servers.push(server);
  await new Promise<void>((ok) => server.listen(port, "127.0.0.1", ok));
  target.server = server;
  target.port = (server.address() as { port: number }).port;
  target.url = `http://127.0.0.1:${target.port}`;
  return target;
}

const answer =
  (status: number, body = "", headers: Record<string, string> = {}): Handler =>
  (_req, res) =>
    res.writeHead(status, headers).end(body);

const httpCheck = (url: string, patch: Partial<HttpCheck> = {}): HttpCheck => ({
  type: "http",
  url,
  method: "GET",
  headers: {},
  expectedStatus: "200-399",
  followRedirects: true,
  timeoutMs: 10_000,
  ...patch,
});

describe("HTTP checks against a local server", () => {
  it("see 200, then 503, then a refused connection once the server stops listening, then 200 when it is back", async () => {
    const target = await startTarget(answer(200, "fine"));
    const check = httpCheck(`${target.url}/health`);

    expect(await runCheck(check)).toMatchObject({ outcome: "up", message: "HTTP 200", statusCode: 200 });
    target.handle = answer(503, "secret stack trace", { "x-token": "secret-header" });
    const failing = await runCheck(check);
    expect(failing).toMatchObject({ outcome: "down", message: "HTTP 503", statusCode: 503 });
    expect(failing.responseMs).toEqual(expect.any(Number));

    await new Promise<void>((ok) => target.server.close(() => ok()));
    expect(await runCheck(check)).toEqual({ outcome: "down", responseMs: null, message: "connection refused" });

    const back = await startTarget(answer(204), target.port);
    expect(await runCheck(check)).toMatchObject({ outcome: "up", message: "HTTP 204" });
    expect(back.requests).toHaveLength(1);
  });

  it("open a fresh connection for every check, and close it", async () => {
    const target = await startTarget(answer(200, "ok"));
    for (let i = 0; i < 3; i++) expect((await runCheck(httpCheck(target.url))).outcome).toBe("up");
    expect(target.connections).toBe(3);
    expect(target.requests.every((r) => r.headers.connection === "close")).toBe(true);
    await waitUntil(() => target.closed === 3, "every connection closed");
  });

  it("send the configured method, headers and body", async () => {
    const target = await startTarget(answer(201));
    const check = httpCheck(`${target.url}/hook`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: "Bearer abc" },
      body: '{"ping":true}',
      expectedStatus: "201",
    });
    expect(await runCheck(check)).toMatchObject({ outcome: "up", message: "HTTP 201" });
    const [seen] = target.requests;
    expect(seen).toMatchObject({ method: "POST", url: "/hook", body: '{"ping":true}' });
    expect(seen!.headers).toMatchObject({ "content-type": "application/json", authorization: "Bearer abc" });
    expect(seen!.headers["user-agent"]).toMatch(/^Marquee-Monitor\//);
  });

  it("send a HEAD and judge its status", async () => {
    const target = await startTarget(answer(200, "", { "content-length": "5000" }));
    expect(await runCheck(httpCheck(target.url, { method: "HEAD" }))).toMatchObject({ outcome: "up", statusCode: 200 });
    expect(target.requests[0]!.method).toBe("HEAD");
  });

  it("judge the status against the expected list", async () => {
    const target = await startTarget(answer(204));
    expect((await runCheck(httpCheck(target.url, { expectedStatus: "200" }))).outcome).toBe("down");
    expect((await runCheck(httpCheck(target.url, { expectedStatus: "200,204" }))).outcome).toBe("up");
  });
});

describe("slow answers", () => {
  it("are degraded past degradedMs, up below it (the test's clock decides how long the answer took)", async () => {
    let now = 1_000;
    const held: ServerResponse[] = [];
    const target = await startTarget((_req, res) => held.push(res));
    const check = createNodeRunCheck({ now: () => now });

    const slow = check(httpCheck(target.url, { degradedMs: 500 }));
    await waitUntil(() => held.length === 1, "the request arrived");
    now += 800;
    held[0]!.end("ok");
    expect(await slow).toEqual({
      outcome: "degraded",
      responseMs: 800,
      message: "HTTP 200 in 800 ms, slower than 500 ms",
      statusCode: 200,
    });

    const quick = check(httpCheck(target.url, { degradedMs: 500 }));
    await waitUntil(() => held.length === 2, "the second request arrived");
    now += 499;
    held[1]!.end("ok");
    expect(await quick).toMatchObject({ outcome: "up", responseMs: 499 });
  });

  it("are down once timeoutMs passes without an answer, and the connection is dropped", async () => {
    const held: ServerResponse[] = [];
    const target = await startTarget((_req, res) => held.push(res));
    const result = await runCheck(httpCheck(target.url, { timeoutMs: 300 }));
    expect(result).toEqual({ outcome: "down", responseMs: null, message: "timed out after 300 ms" });
    await waitUntil(() => target.closed === 1, "the held connection closed by the check");
  });

  it("are down when the body needed for a keyword stalls past the timeout", async () => {
    const target = await startTarget((_req, res) => res.writeHead(200).write("still loading"));
    const result = await runCheck(httpCheck(target.url, { keyword: "ready", timeoutMs: 300 }));
    expect(result).toMatchObject({ outcome: "down", message: "timed out after 300 ms" });
    await waitUntil(() => target.closed === 1, "the stalled connection closed by the check");
  });

  it("stop when the monitor's own signal aborts", async () => {
    const target = await startTarget(() => {});
    const controller = new AbortController();
    const pending = runCheck(httpCheck(target.url), controller.signal);
    await waitUntil(() => target.requests.length === 1, "the request arrived");
    controller.abort();
    expect(await pending).toMatchObject({ outcome: "down", message: "check cancelled" });
    expect(await runCheck(httpCheck(target.url), controller.signal)).toMatchObject({ message: "check cancelled" });
  });
});

describe("keywords", () => {
  it("are found or missed, in either mode, and the message never quotes the body", async () => {
    const target = await startTarget(answer(200, "<p>All systems ok</p>"));
    expect((await runCheck(httpCheck(target.url, { keyword: "systems ok" }))).outcome).toBe("up");
    expect(await runCheck(httpCheck(target.url, { keyword: "maintenance" }))).toMatchObject({
      outcome: "down",
      message: 'keyword "maintenance" not found',
      statusCode: 200,
    });
    expect((await runCheck(httpCheck(target.url, { keyword: "error", keywordMode: "absent" }))).outcome).toBe("up");
    const found = await runCheck(httpCheck(target.url, { keyword: "ok", keywordMode: "absent" }));
    expect(found).toMatchObject({ outcome: "down", message: 'keyword "ok" found' });
    expect(found.message).not.toContain("All systems");
  });

  it("are searched in a gzip body", async () => {
    const target = await startTarget(answer(200, "", {}));
    target.handle = (_req, res) =>
      res.writeHead(200, { "content-encoding": "gzip" }).end(gzipSync("x".repeat(50_000) + "healthy"));
    expect((await runCheck(httpCheck(target.url, { keyword: "healthy" }))).outcome).toBe("up");
  });

  it("are searched in at most 1 MB of a decompressed body, so a compression bomb costs no more", async () => {
    // 64 MB of zeros gzip to about 64 KB; the keyword after them is never reached.
    const bomb = gzipSync(Buffer.concat([Buffer.alloc(64 * 1024 * 1024), Buffer.from("needle")]));
    const target = await startTarget((_req, res) => res.writeHead(200, { "content-encoding": "gzip" }).end(bomb));
    expect(await runCheck(httpCheck(target.url, { keyword: "needle" }))).toMatchObject({
      outcome: "down",
      message: 'keyword "needle" not found',
    });
  });

  it("stop reading once found, without waiting for the rest of the body", async () => {
    const target = await startTarget((_req, res) => res.writeHead(200).write("status: healthy, and more to come"));
    expect((await runCheck(httpCheck(target.url, { keyword: "healthy", timeoutMs: 60_000 }))).outcome).toBe("up");
    await waitUntil(() => target.closed === 1, "the connection closed by the check");
  });

  it("are not searched past the first 1 MB, and reading stops there", async () => {
    const mb = 1024 * 1024;
    // 1 MB, the keyword, 2 MB more, and the body never ends: a check that read on would find the keyword, and one
    // that waited for the end would time out.
    const target = await startTarget((_req, res) => {
      res.writeHead(200);
      res.write("x".repeat(mb));
      res.write("needle");
      res.write("y".repeat(2 * mb));
    });
    const result = await runCheck(httpCheck(target.url, { keyword: "needle", timeoutMs: 60_000 }));
    expect(result).toMatchObject({ outcome: "down", message: 'keyword "needle" not found' });
    await waitUntil(() => target.closed === 1, "the connection closed by the check");
  });
});

describe("redirects", () => {
  it("are followed when asked, and judged by expectedStatus when not", async () => {
    const target = await startTarget((req, res) =>
      req.url === "/old" ? res.writeHead(301, { location: "/new" }).end() : res.writeHead(200).end("moved here"),
    );
    expect(await runCheck(httpCheck(`${target.url}/old`, { keyword: "moved here" }))).toMatchObject({
      outcome: "up",
      statusCode: 200,
    });
    expect(target.requests.map((r) => r.url)).toEqual(["/old", "/new"]);
    const notFollowed = httpCheck(`${target.url}/old`, { followRedirects: false });
    expect(await runCheck(notFollowed)).toMatchObject({ outcome: "up", statusCode: 301, message: "HTTP 301" });
    expect(await runCheck({ ...notFollowed, expectedStatus: "200" })).toMatchObject({
      outcome: "down",
      statusCode: 301,
    });
    expect(target.requests).toHaveLength(4);
  });

  it("stop after 5 hops", async () => {
    const target = await startTarget((req, res) => res.writeHead(302, { location: `${req.url}x` }).end());
    expect(await runCheck(httpCheck(`${target.url}/`))).toMatchObject({
      outcome: "down",
      message: "more than 5 redirects",
      statusCode: 302,
    });
    expect(target.requests).toHaveLength(6);
  });

  it("never lead to anything but http(s)", async () => {
    const target = await startTarget(answer(302, "", { location: "file:///etc/passwd" }));
    expect(await runCheck(httpCheck(target.url))).toMatchObject({
      outcome: "down",
      message: "HTTP 302 redirect to a non-http(s) URL",
    });
  });

  it("do not carry the Authorization header to another origin", async () => {
    const other = await startTarget(answer(200));
    const target = await startTarget((req, res) =>
      req.url === "/"
        ? res.writeHead(302, { location: "/same" }).end()
        : res.writeHead(302, { location: other.url }).end(),
    );
    const check = httpCheck(`${target.url}/`, { headers: { Authorization: "Bearer s3cret", "X-Probe": "1" } });
    expect((await runCheck(check)).outcome).toBe("up");
    expect(target.requests.map((r) => r.headers.authorization)).toEqual(["Bearer s3cret", "Bearer s3cret"]);
    expect(other.requests[0]!.headers.authorization).toBeUndefined();
    expect(other.requests[0]!.headers["x-probe"]).toBe("1");
  });
});

describe("a check never throws", () => {
  it.each([
    ["a URL that is not one", { url: "not a url" }],
    ["a non-http URL", { url: "ftp://127.0.0.1/" }],
    ["a bad status range", { url: "http://127.0.0.1:1/", expectedStatus: "2xx" }],
  ])("%s is down with a message", async (_what, patch) => {
    const result = await runCheck(httpCheck("http://127.0.0.1:1/", patch));
    expect(result.outcome).toBe("down");
    expect(result.message).toEqual(expect.any(String));
  });

  it("a check of an unknown type or without a timeout is down", async () => {
    expect(await runCheck({ type: "smtp", timeoutMs: 1000 } as never)).toMatchObject({ outcome: "down" });
    expect(await runCheck({ ...httpCheck("http://127.0.0.1:1/"), timeoutMs: undefined } as never)).toMatchObject({
      outcome: "down",
      message: "invalid check: no timeout",
    });
  });

  it("a header that would inject another is refused before anything is sent, even past the schema", async () => {
    const target = await startTarget(answer(200));
    const result = await runCheck(httpCheck(target.url, { headers: { "X-A": "1\r\nX-Injected: 1" } }));
    expect(result).toEqual({ outcome: "down", responseMs: null, message: "invalid header in the check" });
    expect(target.requests).toHaveLength(0);
  });

  it("an answer that is not HTTP is down", async () => {
    const { createServer: createTcpServer } = await import("node:net");
    const server = createTcpServer((socket) => socket.end("SSH-2.0-OpenSSH_9.6\r\n"));
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
    const port = (server.address() as { port: number }).port;
    expect(await runCheck(httpCheck(`http://127.0.0.1:${port}/`))).toMatchObject({
      outcome: "down",
      message: "invalid HTTP response",
    });
    server.close();
  });
});
