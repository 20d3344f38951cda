import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import net from "node:net";
import { pipeline, type Readable } from "node:stream";
import tls, { type DetailedPeerCertificate, type SecureContext } from "node:tls";
import zlib from "node:zlib";
import type { SeenCertificate } from "./check-certificate";
import type { Exchange } from "./check-http";
import { type CheckClocks, createRunCheck } from "./check-run";
import type { RunCheck } from "./check-types";

// Checks on Node, with node:http/https, node:net and node:tls rather than fetch: a fresh connection per check and
// no body read unless a keyword needs it cost less CPU (docs/BENCHMARKS.md, "Monitor checks").

const userAgent = "Marquee-Monitor/1";
const noop = () => {};

/** One TLS context for the system's roots and one per private CA, built once: building one costs more than a check. */
const contexts = new Map<string, SecureContext>();
function secureContext(ca: string | undefined) {
  const key = ca ?? "";
  let context = contexts.get(key);
  if (!context) {
    if (contexts.size >= 100) contexts.clear();
    context = tls.createSecureContext(ca === undefined ? {} : { ca: [...tls.rootCertificates, ca] });
    contexts.set(key, context);
  }
  return context;
}

/**
 * Runs `start` and ties what it opens to the check's signal: an abort destroys it, whatever stage it is in. `done`
 * unties it, for a socket that is closed already or an answer whose body is handed over (its `close` unties it).
 */
function untilAborted<T>(
  signal: AbortSignal,
  start: (fail: (error: unknown) => void, resolve: (value: T) => void, done: () => void) => { destroy(): void },
) {
  return new Promise<T>((resolve, reject) => {
    let target: { destroy(): void } | undefined = undefined;
    const onAbort = () => target?.destroy();
    signal.addEventListener("abort", onAbort, { once: true });
    const done = () => signal.removeEventListener("abort", onAbort);
    // A failed socket is destroyed here too: a TLS socket that failed its handshake is left open otherwise.
    target = start((error) => (done(), target?.destroy(), reject(error)), resolve, done);
  });
}

function decoded(res: IncomingMessage): Readable {
  const encoding = res.headers["content-encoding"]?.trim().toLowerCase();
  const decoder =
    encoding === "gzip" || encoding === "x-gzip"
      ? zlib.createGunzip()
      : encoding === "deflate"
        ? zlib.createInflate()
        : encoding === "br"
          ? zlib.createBrotliDecompress()
          : undefined;
  return decoder ? pipeline(res, decoder, noop) : res;
}

const exchange: Exchange = (request, signal) =>
  untilAborted(signal, (fail, resolve, done) => {
    const url = new URL(request.url);
    const secure = url.protocol === "https:";
    // `agent: false` and `connection: close`: every check opens its own connection and sees the target as it is now.
    const req = (secure ? https : http).request(url, {
      method: request.method,
      headers: { "user-agent": userAgent, ...request.headers, connection: "close" },
      agent: false,
      ...(secure ? { secureContext: secureContext(request.ca) } : {}),
    });
    req.on("error", fail);
    req.once("response", (res) => {
      res.on("error", noop);
      resolve({
        status: res.statusCode ?? 0,
        location: res.headers.location,
        body: () => decoded(res),
        close: () => (done(), res.destroy(), req.destroy()),
      });
    });
    req.end(request.body);
    return req;
  });

function connect(host: string, port: number, signal: AbortSignal) {
  return untilAborted<void>(signal, (fail, resolve, done) => {
    const socket = net.connect({ host, port });
    socket.on("error", fail);
    socket.once("connect", () => (done(), socket.destroy(), resolve()));
    return socket;
  });
}

/** The earliest expiry in the chain the server showed: an intermediate that expires first breaks the chain first. */
function earliestExpiry(certificate: DetailedPeerCertificate) {
  let earliest = Infinity;
  const seen = new Set<DetailedPeerCertificate>();
  for (let c: DetailedPeerCertificate | undefined = certificate; c?.valid_to && !seen.has(c); c = c.issuerCertificate) {
    seen.add(c);
    earliest = Math.min(earliest, Date.parse(c.valid_to));
  }
  return earliest;
}

function handshake(host: string, port: number, ca: string | undefined, signal: AbortSignal) {
  return untilAborted<SeenCertificate>(signal, (fail, resolve, done) => {
    // Not rejecting an untrusted certificate here lets the check say why it is not trusted, and read its expiry.
    const socket = tls.connect({
      host,
      port,
      servername: net.isIP(host) ? undefined : host,
      secureContext: secureContext(ca),
      rejectUnauthorized: false,
    });
    socket.on("error", fail);
    socket.once("secureConnect", () => {
      const expiresAt = earliestExpiry(socket.getPeerCertificate(true));
      const authorizationError = socket.authorized ? undefined : String(socket.authorizationError);
      done();
      socket.destroy();
      resolve({ expiresAt, authorizationError });
    });
    return socket;
  });
}

/** Clocks are injectable so that tests decide how long an answer took. */
export const createNodeRunCheck = (clocks?: CheckClocks): RunCheck =>
  createRunCheck({ exchange, connect, handshake }, clocks);

export const runCheck: RunCheck = createNodeRunCheck();
