import { type AddressKind, classifyAddress, isIpLiteral } from "./address";

/** `allowPrivate` is ALLOW_PRIVATE_WEBHOOKS: the operator lets user-supplied URLs reach private and loopback hosts. */
export type OutboundPolicy = { allowPrivate: boolean };

/**
 * A URL Marquee will not connect to. The message is meant for the admin who typed the URL: it names what they typed
 * and never what a resolver answered, so a refusal cannot be used to map the network behind Marquee.
 */
export class OutboundRefused extends Error {
  constructor(reason: string) {
    super(`refused: ${reason}`);
    this.name = "OutboundRefused";
  }
}

/** Said of any host name whose addresses are refused or cannot be found: one message, so nothing is learnt. */
export const notPublicName = "the host does not resolve to a public address";

// Names that only mean something inside a network (RFC 6761, RFC 6762, RFC 8375, ICANN's .internal).
const localSuffixes = [".localhost", ".local", ".localdomain", ".internal", ".home.arpa", ".lan", ".intranet"];

/** The host as a connection sees it: no IPv6 brackets, no trailing dot, lower case. */
export function hostOf(url: URL): string {
  const host = url.hostname.toLowerCase().replace(/\.+$/, "");
  return host.startsWith("[") ? host.slice(1, -1) : host;
}

/**
 * The checks that need no resolver, so they run on every runtime (Workers has no DNS API): http(s) only, no
 * credentials in the URL, and unless the policy allows private targets, no IP literal outside public unicast and no
 * name that is local by definition. WHATWG URL parsing has already turned `2130706433`, `0x7f000001`, `127.1` and
 * `0177.0.0.1` into `127.0.0.1`, and `[::ffff:127.0.0.1]` into `[::ffff:7f00:1]`: the host checked here is the
 * host that will be connected to.
 */
export function parseOutboundUrl(raw: string | URL, policy: OutboundPolicy): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new OutboundRefused("not a valid URL");
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new OutboundRefused("the scheme must be http or https");
  // Credentials in a URL end up in logs and screenshots; the signature header already authenticates Marquee.
  if (url.username !== "" || url.password !== "") throw new OutboundRefused("credentials in the URL are not allowed");
  const host = hostOf(url);
  if (host === "") throw new OutboundRefused("the URL has no host");
  if (policy.allowPrivate) return url;
  if (isIpLiteral(host)) {
    const kind = classifyAddress(host);
    if (kind !== "public") throw new OutboundRefused(`address is ${kind}`);
  } else if (!host.includes(".") || host === "localhost" || localSuffixes.some((s) => host.endsWith(s))) {
    throw new OutboundRefused(`${host} is not a public host name`);
  }
  return url;
}

/** Whether every address a name resolved to may be connected to. An empty answer is not. */
export function allPublic(addresses: { address: string }[]): boolean {
  return (
    addresses.length > 0 && addresses.every((a) => classifyAddress(a.address) === ("public" satisfies AddressKind))
  );
}
