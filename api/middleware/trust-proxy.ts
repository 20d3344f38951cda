import { formatIp, inRange, type IpRange, parseIp, parseIpRange } from "@/api/ip-address";

/**
 * TRUST_PROXY: whose X-Forwarded-For counts. Absent, nobody's: the socket's address is the client, since anyone can
 * send the header. `hops` trusts that many proxies in front of Marquee (1: one reverse proxy, whose right-most entry
 * is the client it saw). `ranges` trusts the proxies at those addresses only, so an entry added by anyone else is
 * not believed.
 */
export type TrustProxy = { hops: number } | { ranges: IpRange[] } | undefined;

/** Parses the setting; throws a message for the configuration error when it is neither a hop count nor addresses. */
export function parseTrustProxy(value: string | undefined): TrustProxy {
  const text = value?.trim() ?? "";
  if (text === "" || /^(0|false|off|no)$/i.test(text)) return undefined;
  if (/^\d+$/.test(text)) return { hops: Number(text) };
  const items = text.split(",").map((s) => s.trim());
  const ranges = items.map(parseIpRange);
  const bad = items.filter((_, i) => !ranges[i]);
  if (bad.length > 0) {
    throw new Error(
      `must be a hop count (e.g. 1) or a comma-separated list of proxy addresses or CIDR ranges; not an address or range: ${bad.join(", ")}`,
    );
  }
  return { ranges: ranges as IpRange[] };
}

/**
 * Walks from the socket back through X-Forwarded-For (right to left: each proxy appends the address it received the
 * request from) for as long as the hop it came through is trusted. Stops at an entry that is not an address: a
 * trusted proxy wrote nonsense, and its own address is the best we know.
 */
export function resolveClientAddress(socket: string | undefined, forwardedFor: string | undefined, trust: TrustProxy) {
  const first = socket ? parseIp(socket) : null;
  if (!first) return socket || "unknown";
  let client = first;
  if (!trust || !forwardedFor) return formatIp(client);
  const entries = forwardedFor.split(",").reverse();
  for (let hop = 0; hop < entries.length; hop++) {
    const trusted = "hops" in trust ? hop < trust.hops : trust.ranges.some((r) => inRange(client, r));
    if (!trusted) break;
    const next = parseIp(entries[hop]!);
    if (!next) break;
    client = next;
  }
  return formatIp(client);
}
