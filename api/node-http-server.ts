import { createServer, type RequestListener, type Server } from "node:http";
import type { Socket } from "node:net";
import { clientKey } from "./ip-address";

/**
 * What one slow or greedy client may hold of the Node server. A status page's requests are small: a browser sends its
 * headers in one packet and a form in another, so a client still sending headers after a few seconds is holding the
 * socket on purpose. Only the staff's subscriber import is large (8 MB at most), hence the longer request bound.
 */
export type HttpLimits = {
  /** Headers must be complete this long after the request starts (Node answers 408 and closes). */
  headersTimeoutMs: number;
  /** The whole request, body included, must have arrived this long after it started. */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this long. */
  keepAliveTimeoutMs: number;
  /** How often Node checks the two timeouts above; a check is a walk over the open connections. */
  checkIntervalMs: number;
  /**
   * Open connections one address (an IPv6 /64) may hold; the next ones are closed at once. A browser opens about
   * six; a hundred leaves room for an office behind one NAT. 0: no cap (behind a proxy every socket is the proxy's).
   */
  maxConnectionsPerClient: number;
};

export const defaultHttpLimits: HttpLimits = {
  headersTimeoutMs: 5_000,
  requestTimeoutMs: 60_000,
  keepAliveTimeoutMs: 5_000,
  checkIntervalMs: 1_000,
  maxConnectionsPerClient: 100,
};

/** A node:http server with those limits. */
export function createLimitedServer(listener: RequestListener, limits: HttpLimits = defaultHttpLimits): Server {
  const server = createServer(
    {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: limits.checkIntervalMs,
    },
    listener,
  );
  if (limits.maxConnectionsPerClient > 0) capConnectionsPerClient(server, limits.maxConnectionsPerClient);
  return server;
}

/**
 * Counts open sockets by address as they are accepted, before a byte is read: forwarding headers are not known yet,
 * so this is the socket's address, a proxy's when there is one.
 */
function capConnectionsPerClient(server: Server, max: number) {
  const open = new Map<string, number>();
  server.on("connection", (socket: Socket) => {
    const key = clientKey(socket.remoteAddress ?? "unknown");
    const count = (open.get(key) ?? 0) + 1;
    if (count > max) {
      socket.destroy();
      return;
    }
    open.set(key, count);
    socket.once("close", () => {
      const left = open.get(key)! - 1;
      if (left === 0) open.delete(key);
      else open.set(key, left);
    });
  });
}
