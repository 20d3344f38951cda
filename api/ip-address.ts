/**
 * IP addresses as the limits see them: parsed by hand (no node:net, so the same code runs on Workers), IPv4-mapped
 * IPv6 taken as IPv4, written back in one canonical form (RFC 5952) so that one client is always one key.
 */
export type Ip = { version: 4 | 6; bytes: number[] };
export type IpRange = Ip & { prefix: number };

function parseIpv4(text: string): number[] | null {
  const parts = text.split(".");
  if (parts.length !== 4 || !parts.every((p) => /^(0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255)) return null;
  return parts.map(Number);
}

function parseIpv6(text: string): number[] | null {
  let head = text;
  let tail: number[] = [];
  const v4 = text.match(/^(.*:)(\d+\.\d+\.\d+\.\d+)$/);
  if (v4) {
    const bytes = parseIpv4(v4[2]!);
    if (!bytes) return null;
    head = v4[1]!.endsWith("::") ? v4[1]! : v4[1]!.slice(0, -1);
    tail = [(bytes[0]! << 8) | bytes[1]!, (bytes[2]! << 8) | bytes[3]!];
  }
  const halves = head.split("::");
  if (halves.length > 2) return null;
  const groups = (s: string) => (s === "" ? [] : s.split(":"));
  const [left, right] = [groups(halves[0]!), halves.length === 2 ? groups(halves[1]!) : []];
  if (![...left, ...right].every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return null;
  const known = left.length + right.length + tail.length;
  if (halves.length === 1 ? known !== 8 : known > 7) return null;
  const words = [
    ...left.map((g) => parseInt(g, 16)),
    ...Array<number>(8 - known).fill(0),
    ...right.map((g) => parseInt(g, 16)),
    ...tail,
  ];
  return words.flatMap((w) => [w >> 8, w & 255]);
}

/** An address as sockets and proxies write it: `1.2.3.4`, `1.2.3.4:80`, `::1`, `[::1]:80`, `fe80::1%eth0`. */
export function parseIp(raw: string): Ip | null {
  let text = raw.trim();
  const bracketed = text.match(/^\[([^\]]+)\](?::\d+)?$/);
  if (bracketed) text = bracketed[1]!;
  else if (/^[\d.]+:\d+$/.test(text)) text = text.slice(0, text.indexOf(":"));
  text = text.replace(/%[\w.-]+$/, "");
  const v4 = parseIpv4(text);
  if (v4) return { version: 4, bytes: v4 };
  const v6 = text.includes(":") ? parseIpv6(text) : null;
  if (!v6) return null;
  const mapped = v6.slice(0, 10).every((b) => b === 0) && v6[10] === 255 && v6[11] === 255;
  return mapped ? { version: 4, bytes: v6.slice(12) } : { version: 6, bytes: v6 };
}

export function formatIp({ version, bytes }: Ip): string {
  if (version === 4) return bytes.join(".");
  const words = Array.from({ length: 8 }, (_, i) => (bytes[2 * i]! << 8) | bytes[2 * i + 1]!);
  // RFC 5952: the longest run of two or more zero groups becomes "::".
  let [start, length] = [-1, 1];
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > length) [start, length] = [i, j - i];
  }
  const hex = (ws: number[]) => ws.map((w) => w.toString(16)).join(":");
  return start === -1 ? hex(words) : `${hex(words.slice(0, start))}::${hex(words.slice(start + length))}`;
}

/** `10.0.0.0/8`, `2001:db8::/32`, or a single address (a range of one). */
export function parseIpRange(text: string): IpRange | null {
  const [address, bits, extra] = text.trim().split("/");
  if (extra !== undefined || (bits !== undefined && !/^\d{1,3}$/.test(bits))) return null;
  const ip = address ? parseIp(address) : null;
  if (!ip || address!.includes("[")) return null;
  const max = ip.version === 4 ? 32 : 128;
  // A v4-mapped range such as ::ffff:10.0.0.0/104 is the IPv4 range it maps.
  const given = bits === undefined ? max : Number(bits) - (ip.version === 4 && address!.includes(":") ? 96 : 0);
  if (given < 0 || given > max) return null;
  return { ...ip, prefix: given };
}

export function inRange(ip: Ip, range: IpRange): boolean {
  if (ip.version !== range.version) return false;
  for (let bit = 0; bit < range.prefix; bit += 8) {
    const mask = (0xff << (8 - Math.min(8, range.prefix - bit))) & 0xff;
    if ((ip.bytes[bit / 8]! & mask) !== (range.bytes[bit / 8]! & mask)) return false;
  }
  return true;
}

/**
 * The key a per-client limit counts on. One IPv6 subscriber is usually handed a whole /64, so an IPv6 client is its
 * /64: otherwise it could take a fresh address, and a fresh counter, for every request.
 */
export function clientKey(address: string): string {
  const ip = parseIp(address);
  if (!ip) return address;
  if (ip.version === 4) return formatIp(ip);
  return `${formatIp({ version: 6, bytes: [...ip.bytes.slice(0, 8), ...Array<number>(8).fill(0)] })}/64`;
}
