import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createServer as createTcpServer } from "node:net";
import { build } from "esbuild";
import { Miniflare } from "miniflare";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { CheckResult, HttpCheck, MonitorCheck } from "@/api/monitors/check-types";
import { waitUntil } from "@/test/support/wait";

// The Workers checks (worker/monitor-checks.ts) run in workerd itself, through Miniflare, against local servers.
let mf: Miniflare;
beforeAll(async () => {
  const bundle = await build({
    stdin: {
      contents: `import { runCheck } from "@/worker/monitor-checks";
        export default { async fetch(request) { return Response.json(await runCheck(await request.json())); } };`,
      resolveDir: process.cwd(),
      loader: "ts",
    },
    bundle: true,
    format: "esm",
    platform: "neutral",
    external: ["cloudflare:sockets"],
    write: false,
    logLevel: "error",
  });
  mf = new Miniflare({ modules: true, script: bundle.outputFiles[0]!.text, compatibilityDate: "2025-01-01" });
  await mf.ready;
});
afterAll(() => mf?.dispose());

async function runInWorker(check: MonitorCheck): Promise<CheckResult> {
  const response = await mf.dispatchFetch("http://checks.local/", { method: "POST", body: JSON.stringify(check) });
  return (await response.json()) as CheckResult;
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    if ("closeAllConnections" in s) s.closeAllConnections();
    await new Promise<void>((ok) => s.close(() => ok()));
  }
});

async function startTarget(handle: (req: IncomingMessage, res: ServerResponse) => void) {
  const seen: { method?: string; url?: string; agent?: string }[] = [];
  const server = createServer(
    (req, res) => (seen.push({ method: req.method, url: req.url, agent: req.headers["user-agent"] }), handle(req, res)),
  );
  servers.push(server);
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  return { base: `http://127.0.0.1:${(server.address() as { port: number }).port}`, seen, server };
}

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

describe("checks on Workers (workerd through Miniflare)", () => {
  it("judge HTTP status, keyword and HEAD with fetch", async () => {
    let status = 200;
    const target = await startTarget((_req, res) => res.writeHead(status).end("all systems ok"));
    expect(await runInWorker(httpCheck(target.base, { keyword: "systems ok" }))).toMatchObject({
      outcome: "up",
      message: "HTTP 200",
      statusCode: 200,
    });
    expect(await runInWorker(httpCheck(target.base, { keyword: "broken", keywordMode: "absent" }))).toMatchObject({
      outcome: "up",
    });
    expect(await runInWorker(httpCheck(target.base, { keyword: "maintenance" }))).toMatchObject({
      outcome: "down",
      message: 'keyword "maintenance" not found',
    });
    expect(
      await runInWorker(httpCheck(target.base, { method: "HEAD", headers: { "User-Agent": "probe/2" } })),
    ).toMatchObject({ outcome: "up" });
    expect(target.seen[0]!.agent).toBe("Marquee-Monitor/1");
    expect(target.seen.at(-1)!.agent).toBe("probe/2");
    expect(target.seen.at(-1)!.method).toBe("HEAD");
    status = 503;
    expect(await runInWorker(httpCheck(target.base))).toMatchObject({ outcome: "down", message: "HTTP 503" });
  });

  it("follow redirects only when asked", async () => {
    const target = await startTarget((req, res) =>
      req.url === "/old" ? res.writeHead(302, { location: "/new" }).end() : res.writeHead(200).end("here"),
    );
    expect(await runInWorker(httpCheck(`${target.base}/old`))).toMatchObject({ outcome: "up", statusCode: 200 });
    expect(await runInWorker(httpCheck(`${target.base}/old`, { followRedirects: false }))).toMatchObject({
      outcome: "up",
      statusCode: 302,
    });
    expect(target.seen.map((s) => s.url)).toEqual(["/old", "/new", "/old"]);
  });

  it("time out while the answer is held, and are down when nothing listens", async () => {
    const target = await startTarget(() => {});
    expect(await runInWorker(httpCheck(target.base, { timeoutMs: 300 }))).toMatchObject({
      outcome: "down",
      message: "timed out after 300 ms",
    });
    await new Promise<void>((ok) => target.server.close(() => ok()));
    target.server.closeAllConnections();
    expect(await runInWorker(httpCheck(target.base))).toMatchObject({ outcome: "down", responseMs: null });
  });

  it("connect TCP with cloudflare:sockets", async () => {
    const server = createTcpServer((socket) => socket.on("error", () => {}).end());
    servers.push(server as unknown as Server);
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
    const port = (server.address() as { port: number }).port;
    expect(await runInWorker({ type: "tcp", host: "127.0.0.1", port, timeoutMs: 5_000 })).toMatchObject({
      outcome: "up",
      message: "connected",
    });
    await new Promise<void>((ok) => server.close(() => ok()));
    servers.pop();
    expect(await runInWorker({ type: "tcp", host: "127.0.0.1", port, timeoutMs: 5_000 })).toMatchObject({
      outcome: "down",
    });
  });

  it("call a failed TLS handshake down, without claiming to know the certificate's expiry", async () => {
    const target = await startTarget((_req, res) => res.end("plain http"));
    const result = await runInWorker({
      type: "tls",
      url: target.base.replace("http:", "https:"),
      minDaysLeft: 7,
      timeoutMs: 5_000,
    });
    expect(result).toEqual({ outcome: "down", responseMs: null, message: "TLS handshake failed" });
  });

  it("read a provider's Statuspage summary", async () => {
    const summary = {
      status: { indicator: "critical" },
      components: [{ id: "c1", name: "Object Storage", status: "partial_outage" }],
    };
    const target = await startTarget((_req, res) => res.end(JSON.stringify(summary)));
    expect(await runInWorker({ type: "statuspage", url: target.base, timeoutMs: 5_000 })).toMatchObject({
      outcome: "down",
      providerStatus: "major_outage",
    });
    expect(
      await runInWorker({ type: "statuspage", url: target.base, component: "object storage", timeoutMs: 5_000 }),
    ).toMatchObject({ providerStatus: "partial_outage", message: "provider: Partial Outage" });
    await waitUntil(() => target.seen.length === 2, "both requests seen");
    expect(target.seen.every((s) => s.url === "/api/v2/summary.json")).toBe(true);
  });
});
