import { describe, expect, it } from "vitest";
import { parseConfig } from "@/api/config";
import { clientKey, formatIp, parseIp } from "@/api/ip-address";
import { parseTrustProxy, resolveClientAddress } from "@/api/middleware/trust-proxy";

describe("client addresses", () => {
  it("are written one way, whatever way the socket or proxy wrote them", () => {
    const canonical = (s: string) => {
      const ip = parseIp(s);
      return ip && formatIp(ip);
    };
    expect(canonical("::ffff:192.0.2.1")).toBe("192.0.2.1");
    expect(canonical("192.0.2.1:4711")).toBe("192.0.2.1");
    expect(canonical("[2001:DB8:0:0:0:0:0:1]:443")).toBe("2001:db8::1");
    expect(canonical("fe80::1%eth0")).toBe("fe80::1");
    expect(canonical("2001:db8:0:1:0:0:0:1")).toBe("2001:db8:0:1::1");
    for (const bad of [
      "",
      "unknown",
      "1.2.3",
      "256.1.1.1",
      "01.2.3.4",
      "1::2::3",
      "2001:db8::g",
      "1:2:3:4:5:6:7:8:9",
    ]) {
      expect(parseIp(bad)).toBeNull();
    }
  });

  it("an IPv6 client is counted by its /64, so it cannot take a fresh counter with each address", () => {
    expect(clientKey("2001:db8:1:2::1")).toBe(clientKey("2001:db8:1:2:ffff:ffff:ffff:ffff"));
    expect(clientKey("2001:db8:1:2::1")).not.toBe(clientKey("2001:db8:1:3::1"));
    expect(clientKey("::ffff:198.51.100.7")).toBe("198.51.100.7");
  });
});

describe("resolving the client behind proxies", () => {
  const chain = "198.51.100.1, 203.0.113.5, 10.0.0.2";

  it("without TRUST_PROXY, X-Forwarded-For is ignored", () => {
    expect(resolveClientAddress("::ffff:127.0.0.1", chain, undefined)).toBe("127.0.0.1");
  });

  it("a hop count walks that many entries from the right, and no further than the header goes", () => {
    expect(resolveClientAddress("127.0.0.1", chain, parseTrustProxy("1"))).toBe("10.0.0.2");
    expect(resolveClientAddress("127.0.0.1", chain, parseTrustProxy("2"))).toBe("203.0.113.5");
    expect(resolveClientAddress("127.0.0.1", chain, parseTrustProxy("9"))).toBe("198.51.100.1");
    expect(resolveClientAddress("127.0.0.1", undefined, parseTrustProxy("1"))).toBe("127.0.0.1");
  });

  it("a list of proxies believes an entry only when the hop that added it is on the list, IPv6 included", () => {
    const trust = parseTrustProxy("127.0.0.1, 10.0.0.0/8, 2001:db8::/32");
    expect(resolveClientAddress("127.0.0.1", chain, trust)).toBe("203.0.113.5");
    expect(resolveClientAddress("192.0.2.9", chain, trust)).toBe("192.0.2.9");
    expect(resolveClientAddress("2001:db8::10", "2001:db8::20, 2a00:1450::1", trust)).toBe("2a00:1450::1");
    expect(resolveClientAddress("2001:db8::10", "198.51.100.1, 2001:db8:ffff::1", trust)).toBe("198.51.100.1");
  });

  it("stops at an entry that is not an address", () => {
    expect(resolveClientAddress("127.0.0.1", "198.51.100.1, <script>", parseTrustProxy("2"))).toBe("127.0.0.1");
  });
});

describe("the TRUST_PROXY setting", () => {
  it("is off by default and when set to 0 or false", () => {
    expect(parseConfig({}).trustProxy).toBeUndefined();
    expect(parseConfig({ TRUST_PROXY: "0" }).trustProxy).toBeUndefined();
    expect(parseConfig({ TRUST_PROXY: "false" }).trustProxy).toBeUndefined();
  });

  it("a bad value stops the start with a message naming it", () => {
    for (const value of ["yes please", "10.0.0.0/33", "10.0.0.1, nonsense", "true"]) {
      expect(() => parseConfig({ TRUST_PROXY: value })).toThrow(/TRUST_PROXY: must be a hop count/);
    }
    expect(() => parseConfig({ MAX_CONNECTIONS_PER_CLIENT: "-1" })).toThrow(/MAX_CONNECTIONS_PER_CLIENT/);
    expect(() => parseConfig({ CONFIRMATION_EMAILS_PER_HOUR: "0" })).toThrow(/CONFIRMATION_EMAILS_PER_HOUR/);
  });

  it("turns the per-client connection cap off unless it is asked for: behind a proxy it would cap the proxy", () => {
    expect(parseConfig({}).maxConnectionsPerClient).toBe(100);
    expect(parseConfig({ TRUST_PROXY: "1" }).maxConnectionsPerClient).toBe(0);
    expect(parseConfig({ TRUST_PROXY: "1", MAX_CONNECTIONS_PER_CLIENT: "500" }).maxConnectionsPerClient).toBe(500);
  });
});
