/**
 * What kind of address an IP is, for deciding whether Marquee may connect to it on a user's behalf. Pure and
 * runtime-agnostic (Node and Workers). Ranges from the IANA special-purpose registries (RFC 6890 and successors):
 * https://www.iana.org/assignments/iana-ipv4-special-registry, …/iana-ipv6-special-registry.
 */
export const addressKinds = [
  "public",
  "loopback",
  "unspecified",
  "private",
  "link-local",
  "unique-local",
  "shared",
  "multicast",
  "broadcast",
  "documentation",
  "reserved",
  "invalid",
] as const;
export type AddressKind = (typeof addressKinds)[number];

type V4Range = [prefix: number, bits: number, kind: AddressKind];

const v4Ranges: V4Range[] = [
  [ip4(0, 0, 0, 0), 8, "unspecified"], // "this network"; 0.0.0.0 reaches the local host on Linux
  [ip4(10, 0, 0, 0), 8, "private"],
  [ip4(100, 64, 0, 0), 10, "shared"], // carrier-grade NAT, RFC 6598
  [ip4(127, 0, 0, 0), 8, "loopback"],
  [ip4(169, 254, 0, 0), 16, "link-local"], // cloud metadata services live here
  [ip4(172, 16, 0, 0), 12, "private"],
  [ip4(192, 0, 0, 0), 24, "reserved"], // IETF protocol assignments
  [ip4(192, 0, 2, 0), 24, "documentation"],
  [ip4(192, 88, 99, 0), 24, "reserved"], // former 6to4 relay anycast
  [ip4(192, 168, 0, 0), 16, "private"],
  [ip4(198, 18, 0, 0), 15, "reserved"], // benchmarking
  [ip4(198, 51, 100, 0), 24, "documentation"],
  [ip4(203, 0, 113, 0), 24, "documentation"],
  [ip4(224, 0, 0, 0), 4, "multicast"],
  [ip4(255, 255, 255, 255), 32, "broadcast"],
  [ip4(240, 0, 0, 0), 4, "reserved"],
];

function ip4(a: number, b: number, c: number, d: number): number {
  return ((a << 24) | (b << 16) | (c << 8) | d) >>> 0;
}

/** Strict dotted quad, as WHATWG URL parsing and getaddrinfo print it; other spellings are not addresses here. */
export function parseIPv4(text: string): number | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    if (!/^(0|[1-9]\d{0,2})$/.test(part) || Number(part) > 255) return null;
    value = value * 256 + Number(part);
  }
  return value;
}

/** Eight 16-bit groups; accepts `::` and a trailing dotted quad; a zone (`%eth0`) is dropped. */
export function parseIPv6(text: string): number[] | null {
  let s = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  const zone = s.indexOf("%");
  if (zone !== -1) s = s.slice(0, zone);
  let tail: number[] = [];
  const lastColon = s.lastIndexOf(":");
  if (lastColon !== -1 && s.slice(lastColon + 1).includes(".")) {
    const v4 = parseIPv4(s.slice(lastColon + 1));
    if (v4 === null) return null;
    tail = [v4 >>> 16, v4 & 0xffff];
    s = s.slice(0, lastColon + 1);
    if (!s.endsWith("::")) s = s.slice(0, -1);
  }
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const group = (h: string) => (h === "" ? [] : h.split(":"));
  const head = group(halves[0]!);
  const rest = halves.length === 2 ? group(halves[1]!) : [];
  const groups: number[] = [];
  for (const g of [...head, ...rest]) {
    if (!/^[0-9a-f]{1,4}$/i.test(g)) return null;
    groups.push(parseInt(g, 16));
  }
  const total = groups.length + tail.length;
  if (halves.length === 1 ? total !== 8 : total > 7) return null;
  const zeros = Array<number>(8 - total).fill(0);
  const headNums = groups.slice(0, head.length);
  const restNums = groups.slice(head.length);
  return [...headNums, ...zeros, ...restNums, ...tail];
}

export function classifyIPv4(value: number): AddressKind {
  for (const [prefix, bits, kind] of v4Ranges) {
    const mask = bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
    if ((value & mask) >>> 0 === prefix) return kind;
  }
  return "public";
}

/**
 * Only global unicast (2000::/3) is public, minus its special blocks; forms that carry an IPv4 address (mapped,
 * compatible, NAT64, 6to4) are judged by that address, since that is where the packets go.
 */
export function classifyIPv6(g: number[]): AddressKind {
  const v4At = (hi: number) => ((g[hi]! << 16) | g[hi + 1]!) >>> 0;
  const zeroUpTo = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeroUpTo(8)) return "unspecified";
  if (zeroUpTo(7) && g[7] === 1) return "loopback";
  if (zeroUpTo(5) && g[5] === 0xffff) return classifyIPv4(v4At(6)); // ::ffff:a.b.c.d, IPv4-mapped
  if (zeroUpTo(6)) return worst(classifyIPv4(v4At(6)), "reserved"); // ::a.b.c.d, deprecated IPv4-compatible
  if (g[0] === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)) return classifyIPv4(v4At(6)); // NAT64
  if (g[0] === 0x64 && g[1] === 0xff9b && g[2] === 1) return "private"; // local-use NAT64, RFC 8215
  if (g[0] === 0x2002) return worst(classifyIPv4(v4At(1)), "public"); // 6to4
  if ((g[0]! & 0xfe00) === 0xfc00) return "unique-local";
  if ((g[0]! & 0xffc0) === 0xfe80) return "link-local";
  if ((g[0]! & 0xffc0) === 0xfec0) return "private"; // deprecated site-local
  if ((g[0]! & 0xff00) === 0xff00) return "multicast";
  if (g[0] === 0x2001 && g[1] === 0x0db8) return "documentation";
  if (g[0] === 0x3fff && g[1]! < 0x1000) return "documentation"; // 3fff::/20, RFC 9637
  if (g[0] === 0x2001 && g[1]! < 0x0200) return "reserved"; // 2001::/23: Teredo, ORCHID, benchmarking…
  if (g[0] === 0x5f00) return "reserved"; // SRv6 SIDs
  if ((g[0]! & 0xe000) !== 0x2000) return "reserved"; // outside global unicast
  return "public";
}

/** The kind of an address as printed by a URL parser or a resolver (`127.0.0.1`, `::1`, `[::1]`). */
export function classifyAddress(text: string): AddressKind {
  const v4 = parseIPv4(text);
  if (v4 !== null) return classifyIPv4(v4);
  const v6 = parseIPv6(text);
  return v6 ? classifyIPv6(v6) : "invalid";
}

/** Whether a host (as in a URL, brackets allowed) is an IP literal rather than a name. */
export function isIpLiteral(host: string): boolean {
  return parseIPv4(host) !== null || parseIPv6(host) !== null;
}

function worst(kind: AddressKind, otherwise: AddressKind): AddressKind {
  return kind === "public" ? otherwise : kind;
}
