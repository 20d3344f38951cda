import { promises as dns } from "node:dns";
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { Readable } from "node:stream";
import { isIpLiteral } from "./address";
import type { Outbound, OutboundInit } from "./outbound";
import { allPublic, hostOf, notPublicName, type OutboundPolicy, OutboundRefused, parseOutboundUrl } from "./url-check";

export type ResolvedAddress = { address: string; family: number };
/** Every address of a name. Tests inject one to play a DNS that changes its answer (rebinding). */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = (hostname) => dns.lookup(hostname, { all: true, verbatim: true });

export type NodeOutbound = Outbound & {
  /** For `net.connect`/`tls.connect`/`http.request`: resolves, refuses unless every address is allowed, pins one. */
  lookup: LookupFunction;
};

/**
 * The Node guard. Names are resolved inside the connection's own `lookup`, so the address checked is the address
 * connected to: a name that answered a public address at registration and 127.0.0.1 now is refused now. IP literals
 * never reach `lookup` (Node connects to them directly); parseOutboundUrl has refused them already.
 */
export function createNodeOutbound(policy: OutboundPolicy & { resolve?: Resolver }): NodeOutbound {
  const resolve = policy.resolve ?? systemResolver;

  async function addressesOf(hostname: string): Promise<ResolvedAddress[]> {
    let addresses: ResolvedAddress[];
    try {
      addresses = await resolve(hostname);
    } catch (error) {
      if (policy.allowPrivate) throw error;
      throw new OutboundRefused(notPublicName);
    }
    if (!policy.allowPrivate && !allPublic(addresses)) throw new OutboundRefused(notPublicName);
    return addresses;
  }

  const lookup: LookupFunction = (hostname, options, callback) => {
    addressesOf(hostname).then(
      (all) => {
        const family = options.family === 4 || options.family === 6 ? options.family : 0;
        const usable = family ? all.filter((a) => a.family === family) : all;
        if (usable.length === 0) return callback(Object.assign(new Error("no address"), { code: "ENOTFOUND" }), "");
        if (options.all) return callback(null, usable);
        callback(null, usable[0]!.address, usable[0]!.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, ""),
    );
  };

  return {
    lookup,
    policy: { allowPrivate: policy.allowPrivate },
    async check(raw) {
      const url = parseOutboundUrl(raw, policy);
      const host = hostOf(url);
      if (!policy.allowPrivate && !isIpLiteral(host)) await addressesOf(host);
      return url;
    },
    fetch: (raw, init) => request(parseOutboundUrl(raw, policy), init, lookup),
  };
}

function request(url: URL, init: OutboundInit, lookup: LookupFunction): Promise<Response> {
  const method = (init.method ?? "GET").toUpperCase();
  const client = url.protocol === "https:" ? https : http;
  return new Promise((ok, fail) => {
    const req = client.request(
      {
        protocol: url.protocol,
        hostname: hostOf(url),
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        method,
        headers: init.headers,
        signal: init.signal,
        lookup,
        // A fresh connection per request: a pooled socket would skip the lookup, and with it the check.
        agent: false,
      },
      (res) => {
        const status = res.statusCode ?? 0;
        if (status < 200 || status > 599) {
          res.destroy();
          return fail(new Error("the answer had no valid status"));
        }
        const headers = new Headers();
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
          try {
            headers.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
          } catch {
            // A header fetch() would not accept either; the caller does not need it.
          }
        }
        const empty = method === "HEAD" || status === 204 || status === 205 || status === 304;
        if (empty) res.resume();
        const body = empty ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>);
        ok(new Response(body, { status, headers }));
      },
    );
    req.once("error", fail);
    req.end(init.body);
  });
}
