import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer as createHttpsServer } from "node:https";
import { createServer as createTcpServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer as createTlsServer } from "node:tls";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { HttpCheck, TlsCheck } from "@/api/monitors/check-types";
import { createNodeRunCheck, runCheck } from "@/api/monitors/node-checks";

const day = 86_400_000;
const servers: Server[] = [];
const sockets = new Set<Socket>();
afterEach(async () => {
  for (const s of sockets) s.destroy();
  for (const s of servers.splice(0)) await new Promise<void>((ok) => s.close(() => ok()));
});

async function listen(server: Server, port = 0) {
  servers.push(server);
  server.on("connection", (socket: Socket) => (sockets.add(socket), socket.on("close", () => sockets.delete(socket))));
  await new Promise<void>((ok) => server.listen(port, "127.0.0.1", ok));
  return (server.address() as { port: number }).port;
}

describe("TCP checks", () => {
  it("are up while a server listens, down (refused) once it stops, up again when it is back", async () => {
    const server = createTcpServer((socket) => socket.on("error", () => {}));
    const port = await listen(server);
    const check = { type: "tcp", host: "127.0.0.1", port, timeoutMs: 5_000 } as const;
    expect(await runCheck(check)).toMatchObject({ outcome: "up", message: "connected" });
    await new Promise<void>((ok) => server.close(() => ok()));
    expect(await runCheck(check)).toEqual({ outcome: "down", responseMs: null, message: "connection refused" });
    await listen(
      createTcpServer((socket) => socket.on("error", () => {})),
      port,
    );
    expect((await runCheck(check)).outcome).toBe("up");
  });

  it("are degraded when the connection took longer than degradedMs", async () => {
    const port = await listen(createTcpServer((socket) => socket.on("error", () => {})));
    let now = 0;
    const check = createNodeRunCheck({ now: () => (now += 700) });
    expect(await check({ type: "tcp", host: "127.0.0.1", port, timeoutMs: 5_000, degradedMs: 500 })).toEqual({
      outcome: "degraded",
      responseMs: 700,
      message: "connected in 700 ms, slower than 500 ms",
    });
  });
});

/** Certificates made by the openssl CLI: a private CA, and leaves that expire soon, expired long ago or trust nobody. */
let dir: string;
const pem = (name: string) => readFileSync(join(dir, name), "utf8");
function openssl(...args: string[]) {
  execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
}
function leaf(name: string, san: string, dates: string[]) {
  openssl(
    ...["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"],
    ...["-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", "/CN=marquee-test"],
  );
  writeFileSync(join(dir, `${name}.ext`), `[leaf]\nsubjectAltName = ${san}\n`);
  // `openssl ca` sets any start and end date, which OpenSSL 3.0's `req -x509` cannot (no -not_after before 3.4).
  openssl(
    ...["ca", "-batch", "-config", "ca.cnf", "-cert", "ca.crt", "-keyfile", "ca.key", "-notext"],
    ...["-in", `${name}.csr`, "-out", `${name}.crt`, "-extfile", `${name}.ext`, "-extensions", "leaf", ...dates],
  );
}
const asn1 = (ms: number) => new Date(ms).toISOString().replace(/[-:T]/g, "").slice(0, 14) + "Z";

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "marquee-certs-"));
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  openssl(
    ...["req", "-x509", ...ec, "-keyout", "ca.key", "-out", "ca.crt", "-days", "3650"],
    ...["-subj", "/CN=Marquee Test CA", "-addext", "basicConstraints=critical,CA:TRUE"],
    ...["-addext", "keyUsage=critical,keyCertSign,cRLSign"],
  );
  writeFileSync(join(dir, "index.txt"), "");
  writeFileSync(join(dir, "serial"), "01\n");
  writeFileSync(
    join(dir, "ca.cnf"),
    "[ca]\ndefault_ca = test\n[test]\ndatabase = index.txt\nnew_certs_dir = .\nserial = serial\n" +
      "default_md = sha256\npolicy = any\nunique_subject = no\n[any]\ncommonName = supplied\n",
  );
  const now = Date.now();
  leaf("soon", "IP:127.0.0.1", ["-days", "2"]);
  leaf("fine", "IP:127.0.0.1", ["-days", "90"]);
  leaf("expired", "IP:127.0.0.1", ["-startdate", asn1(now - 40 * day), "-enddate", asn1(now - 10 * day)]);
  leaf("elsewhere", "DNS:elsewhere.example", ["-days", "90"]);
  leaf("v6", "IP:::1", ["-days", "90"]);
  openssl(
    ...["req", "-x509", ...ec, "-keyout", "self.key", "-out", "self.crt", "-days", "90"],
    ...["-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function tlsServer(name: string) {
  const server = createTlsServer({ key: pem(`${name}.key`), cert: pem(`${name}.crt`) }, (socket) => {
    socket.on("error", () => {});
    socket.end();
  });
  server.on("tlsClientError", () => {});
  return `https://127.0.0.1:${await listen(server)}`;
}

const tlsCheck = (url: string, patch: Partial<TlsCheck> = {}): TlsCheck => ({
  type: "tls",
  url,
  minDaysLeft: 7,
  timeoutMs: 5_000,
  ca: pem("ca.crt"),
  ...patch,
});

describe("TLS checks", () => {
  it("are up, with the expiry, when the certificate is trusted and has more than minDaysLeft days", async () => {
    const result = await runCheck(tlsCheck(await tlsServer("fine")));
    expect(result).toMatchObject({ outcome: "up", message: "certificate expires in 89 days" });
    expect(Math.abs(result.certificateExpiresAt! - (Date.now() + 90 * day))).toBeLessThan(day);
    expect(result.responseMs).toEqual(expect.any(Number));
  });

  it("are degraded for a certificate that expires in 2 days when 7 are wanted", async () => {
    const result = await runCheck(tlsCheck(await tlsServer("soon")));
    expect(result).toMatchObject({ outcome: "degraded", message: "certificate expires in 1 day" });
    expect(Math.abs(result.certificateExpiresAt! - (Date.now() + 2 * day))).toBeLessThan(day / 24);
    expect((await runCheck(tlsCheck(await tlsServer("soon"), { minDaysLeft: 1 }))).outcome).toBe("up");
  });

  it("are down for an expired certificate, saying since when", async () => {
    const result = await runCheck(tlsCheck(await tlsServer("expired")));
    expect(result).toMatchObject({ outcome: "down", message: "certificate expired 10 days ago" });
    expect(result.certificateExpiresAt).toBeLessThan(Date.now());
  });

  it("are down for a self-signed certificate: not trusted", async () => {
    expect(await runCheck(tlsCheck(await tlsServer("self")))).toMatchObject({
      outcome: "down",
      message: "certificate not trusted (self-signed certificate)",
    });
  });

  it("are down when the private CA is not given, and when the certificate names another host", async () => {
    expect(await runCheck(tlsCheck(await tlsServer("fine"), { ca: undefined }))).toMatchObject({
      outcome: "down",
      message: "certificate not trusted (unknown issuer)",
    });
    expect(await runCheck(tlsCheck(await tlsServer("elsewhere")))).toMatchObject({
      outcome: "down",
      message: "certificate does not match the host name",
    });
  });

  it("reach an IPv6 address written in brackets", async () => {
    const server = createTlsServer({ key: pem("v6.key"), cert: pem("v6.crt") }, (socket) => socket.end());
    server.on("tlsClientError", () => {});
    servers.push(server);
    const listening = await new Promise<boolean>((ok) => {
      server.once("error", () => ok(false));
      server.listen(0, "::1", () => ok(true));
    });
    if (!listening) return void servers.pop(); // no IPv6 loopback on this machine
    const port = (server.address() as { port: number }).port;
    expect(await runCheck(tlsCheck(`https://[::1]:${port}`))).toMatchObject({ outcome: "up" });
  });

  it("are down when nothing listens, or when the server does not speak TLS", async () => {
    const closed = createTcpServer();
    const port = await listen(closed);
    await new Promise<void>((ok) => closed.close(() => ok()));
    servers.splice(servers.indexOf(closed), 1);
    expect(await runCheck(tlsCheck(`https://127.0.0.1:${port}`))).toMatchObject({ message: "connection refused" });
    const plain = await listen(createTcpServer((s) => s.resume().end("HTTP/1.1 400 Bad Request\r\n\r\n")));
    expect(await runCheck(tlsCheck(`https://127.0.0.1:${plain}`))).toMatchObject({
      outcome: "down",
      message: "TLS handshake failed",
    });
  });
});

describe("HTTPS checks", () => {
  const httpsCheck = (url: string, patch: Partial<HttpCheck> = {}): HttpCheck => ({
    type: "http",
    url,
    method: "GET",
    headers: {},
    expectedStatus: "200",
    followRedirects: false,
    timeoutMs: 5_000,
    ...patch,
  });

  async function httpsServer(name: string) {
    const server = createHttpsServer({ key: pem(`${name}.key`), cert: pem(`${name}.crt`) }, (_req, res) =>
      res.end("secure ok"),
    );
    server.on("tlsClientError", () => {});
    return `https://127.0.0.1:${await listen(server as unknown as Server)}/`;
  }

  it("trust a private CA given in the check, and only then", async () => {
    const url = await httpsServer("fine");
    expect(await runCheck(httpsCheck(url, { ca: pem("ca.crt"), keyword: "secure ok" }))).toMatchObject({
      outcome: "up",
      statusCode: 200,
    });
    expect(await runCheck(httpsCheck(url))).toMatchObject({
      outcome: "down",
      message: "certificate not trusted (unknown issuer)",
    });
  });

  it("are down for an expired or self-signed certificate", async () => {
    expect(await runCheck(httpsCheck(await httpsServer("expired"), { ca: pem("ca.crt") }))).toMatchObject({
      outcome: "down",
      message: "certificate has expired",
    });
    expect(await runCheck(httpsCheck(await httpsServer("self"), { ca: pem("ca.crt") }))).toMatchObject({
      outcome: "down",
      message: "certificate not trusted (self-signed certificate)",
    });
  });
});
