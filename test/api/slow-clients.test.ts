import { mkdtempSync, rmSync } from "node:fs";
import { Agent, get } from "node:http";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "@/api/config";
import type { HttpLimits } from "@/api/node-http-server";
import { startNodeServer } from "@/api/node-runtime";
import { waitUntil } from "@/test/support/wait";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The whole Node server, as `npm start` runs it, on a free port, with the given server limits. */
async function start(env: Record<string, string>, http: Partial<HttpLimits> = {}) {
  const dir = mkdtempSync(join(tmpdir(), "marquee-slow-"));
  const config = parseConfig({
    PORT: "0",
    DATA_DIR: dir,
    ADMIN_API_KEY: "slow-clients-test-key-0123456789abcdefghijklmnop",
    ...env,
  });
  const server = await startNodeServer(config, () => {}, { http });
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }), server.close);
  await waitUntil(() => status(server.port, undefined, "127.0.0.9").then((s) => s === 200), "the server is ready");
  return server.port;
}

/** A raw connection that records what it receives and whether the server closed it. */
function open(port: number, localAddress = "127.0.0.1") {
  const socket: Socket = connect({ port, host: "127.0.0.1", localAddress });
  const state = { received: "", closed: false, connected: false };
  socket.on("connect", () => (state.connected = true));
  socket.on("data", (d) => (state.received += d));
  socket.on("error", () => {});
  socket.on("close", () => (state.closed = true));
  cleanups.push(() => void socket.destroy());
  return { socket, state };
}

/** Writes a few bytes every 50 ms until the socket closes: a client holding a request open on purpose. */
function trickle(conn: ReturnType<typeof open>, first: string, each: string) {
  conn.socket.once("connect", () => conn.socket.write(first));
  const timer = setInterval(() => conn.state.closed || conn.socket.write(each), 50);
  conn.socket.once("close", () => clearInterval(timer));
  cleanups.push(() => clearInterval(timer));
}

const status = (port: number, agent?: Agent, localAddress?: string) =>
  new Promise<number>((ok, fail) => {
    // Without an agent, a connection of its own that closes after the answer.
    get({ host: "127.0.0.1", port, path: "/healthz", agent: agent ?? false, localAddress }, (res) => {
      res.resume();
      res.on("end", () => ok(res.statusCode!));
    }).on("error", fail);
  });

describe("slow clients", () => {
  it("a client trickling its headers is answered 408 and closed after the headers timeout", async () => {
    const port = await start({}, { headersTimeoutMs: 300, requestTimeoutMs: 1_000, checkIntervalMs: 50 });
    const slow = open(port);
    trickle(slow, "GET /healthz HTTP/1.1\r\nHost: localhost\r\n", "X-Slow: 1\r\n");
    await waitUntil(() => slow.state.closed, "the trickling client is closed");
    expect(slow.state.received).toMatch(/^HTTP\/1\.1 408 /);
    expect(await status(port)).toBe(200);
  });

  it("a client trickling its body is answered 408 and closed after the request timeout", async () => {
    const port = await start({}, { headersTimeoutMs: 300, requestTimeoutMs: 1_000, checkIntervalMs: 50 });
    const slow = open(port);
    trickle(
      slow,
      "POST /subscribe HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 10000\r\n\r\n",
      " ",
    );
    await waitUntil(() => slow.state.closed, "the trickling client is closed");
    expect(slow.state.received).toMatch(/^HTTP\/1\.1 408 /);
  });

  it("a connection that never sends a byte is closed too", async () => {
    const port = await start({}, { headersTimeoutMs: 300, requestTimeoutMs: 1_000, checkIntervalMs: 50 });
    const idle = open(port);
    await waitUntil(() => idle.state.closed, "the silent connection is closed");
  });
});

describe("connections per client", () => {
  it("a browser's six keep-alive connections are served; beyond the cap one address is cut, another is not", async () => {
    // Long timeouts: the held connections must outlive the test however slow the machine.
    const port = await start(
      { MAX_CONNECTIONS_PER_CLIENT: "6" },
      { headersTimeoutMs: 120_000, requestTimeoutMs: 120_000 },
    );
    // A browser (from 127.0.0.3): six connections at once, kept alive, all served.
    const browser = new Agent({ keepAlive: true, maxSockets: 6 });
    cleanups.push(() => browser.destroy());
    const answers = await Promise.all(Array.from({ length: 12 }, () => status(port, browser, "127.0.0.3")));
    expect(answers).toEqual(Array(12).fill(200));

    const held = Array.from({ length: 6 }, () => open(port));
    await waitUntil(() => held.every((c) => c.state.connected), "six connections open");
    const seventh = open(port);
    await waitUntil(() => seventh.state.closed, "the seventh connection is closed");
    expect(seventh.state.received).toBe("");
    expect(held.some((c) => c.state.closed)).toBe(false);

    // Another address is counted on its own.
    expect(await status(port, undefined, "127.0.0.2")).toBe(200);
    // And a freed place can be taken again.
    held[0]!.socket.destroy();
    await waitUntil(
      () =>
        status(port).then(
          (s) => s === 200,
          () => false,
        ),
      "a new connection is served once one closed",
    );
  });

  it("with TRUST_PROXY set and no MAX_CONNECTIONS_PER_CLIENT, the proxy's connections are not capped", async () => {
    const port = await start({ TRUST_PROXY: "127.0.0.1" }, { headersTimeoutMs: 120_000, requestTimeoutMs: 120_000 });
    const held = Array.from({ length: 120 }, () => open(port));
    await waitUntil(() => held.every((c) => c.state.connected), "120 connections open");
    expect(await status(port)).toBe(200);
    expect(held.some((c) => c.state.closed)).toBe(false);
  });
});
