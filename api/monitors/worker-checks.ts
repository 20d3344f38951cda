import type { Exchange } from "./check-http";
import { createRunCheck } from "./check-run";
import type { RunCheck } from "./check-types";

// Checks on Cloudflare Workers: fetch for http and statuspage, `connect()` from cloudflare:sockets for tcp. What
// Workers cannot do (docs/security.md, "Monitor checks"): read the peer certificate (a tls check only sees whether
// the handshake succeeds), trust a private CA (`ca` is ignored: such a server fails the handshake), choose a fresh
// connection per check, or reach private addresses and some ports.

/** The part of cloudflare:sockets' `connect` a check uses; worker/monitor-checks.ts passes the real one. */
export type SocketConnect = (address: { hostname: string; port: number }) => {
  opened: Promise<unknown>;
  close(): Promise<void>;
};

const userAgent = "Marquee-Monitor/1";

async function* chunks(body: ReadableStream<Uint8Array> | null): AsyncGenerator<Uint8Array> {
  if (!body) return;
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    // Reached on a `break` too: the rest of the body is not wanted.
    reader.cancel().catch(() => {});
  }
}

const exchange: Exchange = async (request, signal) => {
  // `set`, not a spread: a configured "User-Agent" replaces the default instead of joining it.
  const headers = new Headers({ "user-agent": userAgent });
  for (const [name, value] of Object.entries(request.headers)) headers.set(name, value);
  const response = await fetch(request.url, {
    method: request.method,
    headers,
    body: request.body,
    redirect: "manual",
    signal,
  });
  return {
    status: response.status,
    location: response.headers.get("location") ?? undefined,
    body: () => chunks(response.body),
    close: () => void response.body?.cancel().catch(() => {}),
  };
};

const hostPort = (host: string, port: number) => `${host.includes(":") ? `[${host}]` : host}:${port}`;

export function createWorkerRunCheck(connect: SocketConnect): RunCheck {
  return createRunCheck({
    exchange,
    async connect(host, port, signal) {
      const socket = connect({ hostname: host, port });
      const close = () => void socket.close().catch(() => {});
      signal.addEventListener("abort", close, { once: true });
      try {
        await socket.opened;
      } finally {
        signal.removeEventListener("abort", close);
        close();
      }
    },
    async handshake(host, port, _ca, signal) {
      // Workers show no peer certificate: a fetch that completes proves a trusted handshake, and nothing more.
      try {
        const response = await fetch(`https://${hostPort(host, port)}/`, {
          method: "HEAD",
          redirect: "manual",
          signal,
        });
        await response.body?.cancel();
      } catch (error) {
        if (signal.aborted) throw error;
        throw Object.assign(new Error("TLS handshake failed"), { code: "ERR_SSL_HANDSHAKE_FAILED" });
      }
      return undefined;
    },
  });
}
