import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { webhookEndpoints } from "@/db/schema";
import type { ResolvedAddress } from "@/api/outbound/node-outbound";
import { makeApp } from "@/test/support/app";
import { waitUntil } from "@/test/support/wait";

type Seen = { url: string; headers: IncomingMessage["headers"] };

/** A receiver on 127.0.0.1: it records what reaches it and answers as told (200 by default). */
async function startReceiver(answer: (res: ServerResponse) => void = (res) => res.writeHead(200).end()) {
  const seen: Seen[] = [];
  const server: Server = createServer(async (req, res) => {
    for await (const _ of req);
    seen.push({ url: req.url!, headers: req.headers });
    answer(res);
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const port = (server.address() as { port: number }).port;
  cleanups.push(() => new Promise<void>((ok) => server.close(() => ok())));
  return { port, seen };
}

/** A DNS the test controls: what each name answers now. Unknown names do not resolve. */
function fakeDns(answers: Record<string, string[]>) {
  const resolve = async (hostname: string): Promise<ResolvedAddress[]> => {
    const addresses = answers[hostname];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
    return addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  };
  return { answers, resolve };
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(options: Parameters<typeof makeApp>[0] = {}) {
  const env = await makeApp(options);
  cleanups.push(env.cleanup);
  const comps = (await (await env.call("GET", "/api/v1/components")).json()) as { id: string; name: string }[];
  const tix1 = comps.find((c) => c.name === "tix1")!;
  /** A status change: every endpoint gets one delivery. Resolves once each endpoint has had its first try. */
  async function changeStatusAndWait() {
    await env.call("PATCH", `/api/v1/components/${tix1.id}`, { status: "major_outage" });
    return waitUntil(async () => {
      const listed = (await (await env.call("GET", "/api/v1/webhooks")).json()) as Listed[];
      return listed.every((e) => e.last_error !== null || e.deliveries.sent > 0) ? listed : null;
    }, "every webhook tried once");
  }
  return { ...env, changeStatusAndWait };
}

type Listed = { url: string; last_error: string | null; deliveries: { sent: number; pending: number; failed: number } };

/** Every spelling of "this machine" and of the cloud metadata service seen in the report, aimed at a live receiver. */
const privateSpellings = (port: number) => [
  `http://127.0.0.1:${port}/hook`,
  `http://localhost:${port}/hook`,
  `http://[::1]:${port}/hook`,
  `http://0.0.0.0:${port}/hook`,
  `http://2130706433:${port}/hook`,
  `http://0x7f000001:${port}/hook`,
  `http://127.1:${port}/hook`,
  `http://0177.0.0.1:${port}/hook`,
  `http://[::ffff:127.0.0.1]:${port}/hook`,
  `http://169.254.169.254/latest/meta-data/`,
];

describe("webhook URLs that point into Marquee's own network", () => {
  it("are refused at registration with 422, every spelling, and nothing is stored or sent", async () => {
    const dns = fakeDns({ "hooks.example.com": ["127.0.0.1"] });
    const s = await setup({ resolve: dns.resolve });
    const receiver = await startReceiver();
    const urls = [
      ...privateSpellings(receiver.port),
      `http://hooks.example.com:${receiver.port}/hook`, // a name whose DNS answers loopback
      `http://nowhere.example.com:${receiver.port}/hook`, // a name that does not resolve: the same answer
    ];
    for (const url of urls) {
      const res = await s.call("POST", "/api/v1/webhooks", { url });
      expect(res.status, url).toBe(422);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("validation_failed");
      expect(body.error.message, url).toMatch(/^url: refused: /);
      expect(body.error.message).not.toContain("127.0.0.1:"); // never what a resolver said
    }
    const byName = await s.call("POST", "/api/v1/webhooks", { url: `http://hooks.example.com/hook` });
    expect((await byName.json()).error.message).toBe("url: refused: the host does not resolve to a public address");
    expect(await (await s.call("GET", "/api/v1/webhooks")).json()).toEqual([]);
    expect(receiver.seen).toEqual([]);
  });

  it("are refused again at send time when they got in some other way: the receiver gets nothing", async () => {
    const s = await setup();
    const receiver = await startReceiver();
    const urls = privateSpellings(receiver.port);
    await s.deps.db
      .insert(webhookEndpoints)
      .values(
        urls.map((url, i) => ({ id: `ep${i}`, url, secret: "s".repeat(32), createdAt: s.clock(), description: null })),
      );
    const listed = await s.changeStatusAndWait();
    expect(receiver.seen).toEqual([]);
    expect(listed.map((e) => e.deliveries.sent)).toEqual(urls.map(() => 0));
    const errors = Object.fromEntries(listed.map((e) => [e.url, e.last_error]));
    expect(errors).toEqual(
      Object.fromEntries(
        urls.map((url, i) => [
          url,
          [
            "refused: address is loopback",
            "refused: localhost is not a public host name",
            "refused: address is loopback",
            "refused: address is unspecified",
            "refused: address is loopback",
            "refused: address is loopback",
            "refused: address is loopback",
            "refused: address is loopback",
            "refused: address is loopback",
            "refused: address is link-local",
          ][i],
        ]),
      ),
    );
  });

  it("with credentials are refused at send time, and the log shows neither the credentials nor the path", async () => {
    const log: string[] = [];
    const s = await setup({ allowPrivateWebhooks: true, log: (m) => log.push(m) });
    const receiver = await startReceiver();
    const url = `http://hook-user:pa55word@127.0.0.1:${receiver.port}/T0123/secret-path`;
    await s.deps.db
      .insert(webhookEndpoints)
      .values({ id: "creds", url, secret: "s".repeat(32), createdAt: s.clock(), description: null });
    const [endpoint] = await s.changeStatusAndWait();
    expect(endpoint!.last_error).toBe("refused: credentials in the URL are not allowed");
    expect(receiver.seen).toEqual([]);
    expect(log.join("\n")).toContain(`endpoint creds (http://127.0.0.1:${receiver.port})`);
    expect(log.join("\n")).not.toMatch(/pa55word|hook-user|secret-path/);
  });

  it("are refused at send time when their name resolves somewhere private since registration (DNS rebinding)", async () => {
    const dns = fakeDns({ "hooks.example.com": ["93.184.215.14"], "mixed.example.com": ["93.184.215.14"] });
    const log: string[] = [];
    const s = await setup({ resolve: dns.resolve, log: (m) => log.push(m) });
    const receiver = await startReceiver();
    for (const host of ["hooks.example.com", "mixed.example.com"]) {
      const url = `http://${host}:${receiver.port}/T0123/very-secret-path?token=abc`;
      expect((await s.call("POST", "/api/v1/webhooks", { url })).status).toBe(201);
    }
    dns.answers["hooks.example.com"] = ["127.0.0.1"];
    dns.answers["mixed.example.com"] = ["93.184.215.14", "::1"]; // one bad answer is enough
    const listed = await s.changeStatusAndWait();
    expect(receiver.seen).toEqual([]);
    expect(listed.map((e) => e.last_error)).toEqual([
      "refused: the host does not resolve to a public address",
      "refused: the host does not resolve to a public address",
    ]);
    // The log names the endpoint and the origin, never the secret path or what the name resolved to.
    const line = log.find((m) => m.includes("hooks.example.com"))!;
    expect(line).toContain(`http://hooks.example.com:${receiver.port}`);
    for (const m of log) {
      expect(m).not.toContain("very-secret-path");
      expect(m).not.toContain("token=abc");
      expect(m).not.toContain("127.0.0.1");
    }
  });

  it("store a failure against an address the admin chose without an errno: 'connection failed'", async () => {
    const s = await setup({ allowPrivateWebhooks: true });
    // A port nothing listens on: the port of a server that was just closed.
    const server = createServer();
    await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((ok) => server.close(() => ok()));
    expect((await s.call("POST", "/api/v1/webhooks", { url: `http://127.0.0.1:${port}/hook` })).status).toBe(201);
    const [endpoint] = await s.changeStatusAndWait();
    expect(endpoint!.last_error).toBe("connection failed");
  });
});

describe("webhook requests", () => {
  it("do not follow a redirect, even to an allowed address: a 3xx is a failure", async () => {
    const s = await setup({ allowPrivateWebhooks: true });
    const inside = await startReceiver();
    const redirecting = await startReceiver((res) =>
      res.writeHead(302, { location: `http://127.0.0.1:${inside.port}/admin` }).end(),
    );
    const url = `http://127.0.0.1:${redirecting.port}/hook`;
    expect((await s.call("POST", "/api/v1/webhooks", { url })).status).toBe(201);
    const [endpoint] = await s.changeStatusAndWait();
    expect(redirecting.seen).toHaveLength(1);
    expect(inside.seen).toEqual([]);
    expect(endpoint!.last_error).toBe("answered 302 (redirects are not followed)");
  });

  it("with ALLOW_PRIVATE_WEBHOOKS reach a local receiver by name, signed, with the name as Host", async () => {
    const dns = fakeDns({ "hooks.example.com": ["127.0.0.1"] });
    const s = await setup({ allowPrivateWebhooks: true, resolve: dns.resolve });
    const receiver = await startReceiver();
    const url = `http://hooks.example.com:${receiver.port}/hook?x=1`;
    expect((await s.call("POST", "/api/v1/webhooks", { url })).status).toBe(201);
    const [endpoint] = await s.changeStatusAndWait();
    expect(endpoint!.deliveries.sent).toBe(1);
    expect(receiver.seen).toHaveLength(1);
    expect(receiver.seen[0]!.url).toBe("/hook?x=1");
    expect(receiver.seen[0]!.headers.host).toBe(`hooks.example.com:${receiver.port}`);
    expect(receiver.seen[0]!.headers["x-marquee-signature"]).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
  });
});
