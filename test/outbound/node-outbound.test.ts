import { createServer, type Server } from "node:http";
import { connect } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { createFetchOutbound, describeOutboundError } from "@/api/outbound/outbound";
import { createNodeOutbound, type ResolvedAddress } from "@/api/outbound/node-outbound";

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise<void>((ok) => s.close(() => ok()));
});

/** A server on 127.0.0.1 that counts connections and answers with `handler` (or never). */
async function startServer(handler?: Parameters<typeof createServer>[1]) {
  let connections = 0;
  const server = createServer(handler ?? (() => {}));
  server.on("connection", () => connections++);
  servers.push(server);
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  return { port: (server.address() as { port: number }).port, connections: () => connections };
}

const resolveTo =
  (...addresses: string[]) =>
  async (): Promise<ResolvedAddress[]> =>
    addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));

describe("the Node outbound guard", () => {
  it("refuses in its lookup, so a raw socket (a TCP monitor's) never connects to a name that resolves privately", async () => {
    const server = await startServer();
    const { lookup } = createNodeOutbound({ allowPrivate: false, resolve: resolveTo("127.0.0.1") });
    const error = await new Promise<Error>((ok) => {
      const socket = connect({ host: "db.example.com", port: server.port, lookup });
      socket.once("error", ok);
      socket.once("connect", () => ok(new Error("connected")));
    });
    expect(describeOutboundError(error)).toBe("refused: the host does not resolve to a public address");
    expect(server.connections()).toBe(0);
  });

  it("checks a name at registration against every address it resolves to", async () => {
    const mixed = createNodeOutbound({ allowPrivate: false, resolve: resolveTo("93.184.215.14", "10.0.0.1") });
    await expect(mixed.check("https://hooks.example.com/x")).rejects.toThrow(
      "refused: the host does not resolve to a public address",
    );
    const fine = createNodeOutbound({ allowPrivate: false, resolve: resolveTo("93.184.215.14", "2606:2800::1") });
    expect((await fine.check("https://hooks.example.com/x")).hostname).toBe("hooks.example.com");
  });

  it("gives an answer's status, headers and body, for callers that read it", async () => {
    const server = await startServer((_req, res) =>
      res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}'),
    );
    const outbound = createNodeOutbound({ allowPrivate: true });
    const res = await outbound.fetch(`http://127.0.0.1:${server.port}/status.json`, {});
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(await res.json()).toEqual({ ok: true });
  });

  it("says 'timed out' when the receiver never answers, and nothing more", async () => {
    const server = await startServer();
    const outbound = createNodeOutbound({ allowPrivate: true });
    const error = await outbound
      .fetch(`http://127.0.0.1:${server.port}/`, { method: "POST", body: "{}", signal: AbortSignal.timeout(50) })
      .catch((e: unknown) => e);
    expect(describeOutboundError(error)).toBe("timed out");
  });
});

describe("the fetch-based guard (Workers)", () => {
  it("refuses literal private addresses before fetch is called, and never follows a redirect", async () => {
    const calls: RequestInit[] = [];
    const fakeFetch = (async (_url: URL, init: RequestInit) => {
      calls.push(init);
      return new Response(null, { status: 302, headers: { location: "http://127.0.0.1/" } });
    }) as unknown as typeof fetch;
    const outbound = createFetchOutbound({ allowPrivate: false }, fakeFetch);
    await expect(outbound.fetch("http://0x7f000001/", {})).rejects.toThrow("refused: address is loopback");
    await expect(outbound.check("http://localhost/")).rejects.toThrow("refused: localhost is not a public host name");
    expect(calls).toEqual([]);
    const res = await outbound.fetch("https://hooks.example.com/", { method: "POST" });
    expect(res.status).toBe(302);
    expect(calls[0]!.redirect).toBe("manual");
  });
});
