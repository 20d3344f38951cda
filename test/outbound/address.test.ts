import { describe, expect, it } from "vitest";
import { type AddressKind, classifyAddress } from "@/api/outbound/address";
import { parseOutboundUrl } from "@/api/outbound/url-check";

const v4: [string, AddressKind][] = [
  ["8.8.8.8", "public"],
  ["1.1.1.1", "public"],
  ["0.0.0.0", "unspecified"],
  ["0.1.2.3", "unspecified"],
  ["10.0.0.1", "private"],
  ["10.255.255.255", "private"],
  ["100.63.255.255", "public"],
  ["100.64.0.1", "shared"],
  ["100.127.255.255", "shared"],
  ["100.128.0.0", "public"],
  ["127.0.0.1", "loopback"],
  ["127.255.255.254", "loopback"],
  ["169.254.169.254", "link-local"],
  ["172.15.255.255", "public"],
  ["172.16.0.1", "private"],
  ["172.31.255.255", "private"],
  ["172.32.0.0", "public"],
  ["192.0.0.8", "reserved"],
  ["192.0.2.1", "documentation"],
  ["192.88.99.1", "reserved"],
  ["192.168.1.1", "private"],
  ["198.18.0.1", "reserved"],
  ["198.19.255.255", "reserved"],
  ["198.51.100.7", "documentation"],
  ["203.0.113.9", "documentation"],
  ["224.0.0.1", "multicast"],
  ["239.255.255.250", "multicast"],
  ["240.0.0.1", "reserved"],
  ["255.255.255.255", "broadcast"],
];

const v6: [string, AddressKind][] = [
  ["2606:4700:4700::1111", "public"],
  ["2a00:1450:4001:81b::200e", "public"],
  ["::", "unspecified"],
  ["::1", "loopback"],
  ["[::1]", "loopback"],
  ["0:0:0:0:0:0:0:1", "loopback"],
  ["::ffff:127.0.0.1", "loopback"],
  ["::ffff:7f00:1", "loopback"],
  ["::ffff:10.1.2.3", "private"],
  ["::ffff:169.254.169.254", "link-local"],
  ["::ffff:0.0.0.0", "unspecified"],
  ["::ffff:8.8.8.8", "public"],
  ["::127.0.0.1", "loopback"], // IPv4-compatible, deprecated
  ["::8.8.8.8", "reserved"],
  ["64:ff9b::127.0.0.1", "loopback"], // NAT64 of a private address
  ["64:ff9b::a00:1", "private"],
  ["64:ff9b::169.254.169.254", "link-local"],
  ["64:ff9b::8.8.8.8", "public"],
  ["64:ff9b:1::1", "private"],
  ["2002:7f00:1::", "loopback"], // 6to4 of 127.0.0.1
  ["2002:c0a8:101::1", "private"],
  ["2002:808:808::1", "public"],
  ["fc00::1", "unique-local"],
  ["fd12:3456:789a::1", "unique-local"],
  ["fe80::1", "link-local"],
  ["fe80::1%eth0", "link-local"],
  ["febf::1", "link-local"],
  ["fec0::1", "private"],
  ["ff02::1", "multicast"],
  ["ff05::1:3", "multicast"],
  ["2001:db8::1", "documentation"],
  ["3fff::1", "documentation"],
  ["2001::1", "reserved"], // Teredo
  ["2001:10::1", "reserved"],
  ["100::1", "reserved"], // discard-only
  ["4000::1", "reserved"],
];

describe("the address classifier", () => {
  it.each(v4)("calls the IPv4 address %s %s", (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });

  it.each(v6)("calls the IPv6 address %s %s", (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });

  it.each([
    "",
    "localhost",
    "127.1",
    "2130706433",
    "0x7f000001",
    "0177.0.0.1",
    "256.0.0.1",
    "1::2::3",
    "12345::",
    ":1",
  ])("calls %j no address at all, so it is never taken for a public one", (text) => {
    expect(classifyAddress(text)).toBe("invalid");
  });
});

const strict = { allowPrivate: false };
const refusal = (url: string) => {
  try {
    parseOutboundUrl(url, strict);
    return null;
  } catch (error) {
    return (error as Error).message;
  }
};

describe("checking a URL without a resolver (all runtimes)", () => {
  it.each([
    ["http://127.0.0.1:8080/hook", "refused: address is loopback"],
    ["http://2130706433/", "refused: address is loopback"],
    ["http://0x7f000001/", "refused: address is loopback"],
    ["http://127.1/", "refused: address is loopback"],
    ["http://0177.0.0.1/", "refused: address is loopback"],
    ["http://127.0.0.1./", "refused: address is loopback"],
    ["http://%31%32%37.0.0.1/", "refused: address is loopback"],
    ["http://ⓛocalhost/", "refused: localhost is not a public host name"],
    ["http://[::ffff:0:7f00:1]/", "refused: address is reserved"],
    ["http://[::1]/", "refused: address is loopback"],
    ["http://[::ffff:127.0.0.1]/", "refused: address is loopback"],
    ["http://[0:0:0:0:0:ffff:7f00:1]/", "refused: address is loopback"],
    ["http://[64:ff9b::10.0.0.1]/", "refused: address is private"],
    ["http://0.0.0.0/", "refused: address is unspecified"],
    ["http://0/", "refused: address is unspecified"],
    ["http://[::]/", "refused: address is unspecified"],
    ["http://169.254.169.254/latest/meta-data/", "refused: address is link-local"],
    ["http://10.0.0.5/", "refused: address is private"],
    ["http://100.64.1.1/", "refused: address is shared"],
    ["http://[fd00::1]/", "refused: address is unique-local"],
    ["http://localhost:3000/", "refused: localhost is not a public host name"],
    ["http://LOCALHOST./", "refused: localhost is not a public host name"],
    ["http://api.localhost/", "refused: api.localhost is not a public host name"],
    ["http://metadata.google.internal/", "refused: metadata.google.internal is not a public host name"],
    ["http://printer.local/", "refused: printer.local is not a public host name"],
    ["http://intranet/", "refused: intranet is not a public host name"],
    ["https://user:pass@hooks.example.com/", "refused: credentials in the URL are not allowed"],
    ["ftp://hooks.example.com/", "refused: the scheme must be http or https"],
    ["file:///etc/passwd", "refused: the scheme must be http or https"],
    ["not a url", "refused: not a valid URL"],
  ])("refuses %s", (url, message) => {
    expect(refusal(url)).toBe(message);
  });

  it("lets public addresses and names through, on any port", () => {
    for (const url of [
      "https://hooks.slack.com/services/T/B/x",
      "http://8.8.8.8:8080/",
      "https://[2606:4700::1111]/",
    ]) {
      expect(refusal(url)).toBeNull();
    }
  });

  it("with ALLOW_PRIVATE_WEBHOOKS lets private targets through, but still not other schemes or credentials", () => {
    const open = { allowPrivate: true };
    expect(parseOutboundUrl("http://127.0.0.1:9/", open).hostname).toBe("127.0.0.1");
    expect(parseOutboundUrl("http://localhost/", open).hostname).toBe("localhost");
    expect(() => parseOutboundUrl("file:///etc/passwd", open)).toThrow("scheme");
    expect(() => parseOutboundUrl("http://a:b@localhost/", open)).toThrow("credentials");
  });
});
