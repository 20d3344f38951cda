import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import type { StatuspageCheck } from "@/api/monitors/check-types";
import { runCheck } from "@/api/monitors/node-checks";

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) (s.closeAllConnections(), await new Promise<void>((ok) => s.close(() => ok())));
});

/** A provider's status page on 127.0.0.1, serving whatever summary.json the test gives it. */
async function startProvider(handle: (req: IncomingMessage, res: ServerResponse) => void) {
  const paths: string[] = [];
  const server = createServer((req, res) => (paths.push(req.url!), handle(req, res)));
  servers.push(server);
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  return { base: `http://127.0.0.1:${(server.address() as { port: number }).port}`, paths };
}

const summary = (indicator: string, components: { id: string; name: string; status: string }[]) => ({
  page: { id: "p1", name: "Cloud Provider", url: "https://status.example.com", updated_at: "2026-11-30T00:00:00Z" },
  components: components.map((c) => ({ ...c, group: false, group_id: null, only_show_if_degraded: false })),
  incidents: [],
  scheduled_maintenances: [],
  status: { indicator, description: "whatever the provider says" },
});
const json = (body: unknown) => (_req: IncomingMessage, res: ServerResponse) =>
  res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(body));

const check = (url: string, component?: string): StatuspageCheck => ({
  type: "statuspage",
  url,
  component,
  timeoutMs: 5_000,
});

const components = [
  { id: "k7730b5v92bv", name: "API", status: "operational" },
  { id: "rb5wq1dczvbm", name: "Object Storage", status: "major_outage" },
  { id: "x1", name: "Dashboard", status: "degraded_performance" },
];

describe("Statuspage checks against a fake provider", () => {
  it("read the whole page's indicator from the base URL's summary.json", async () => {
    const provider = await startProvider(json(summary("minor", components)));
    expect(await runCheck(check(`${provider.base}/`))).toMatchObject({
      outcome: "degraded",
      providerStatus: "degraded_performance",
      message: "provider: Degraded Performance",
      statusCode: 200,
    });
    expect(provider.paths).toEqual(["/api/v2/summary.json"]);
  });

  it("read a named component's status, by name in any case or by id", async () => {
    const provider = await startProvider(json(summary("major", components)));
    const url = `${provider.base}/api/v2/summary.json`;
    expect(await runCheck(check(url, "object storage"))).toMatchObject({
      outcome: "down",
      providerStatus: "major_outage",
      message: "provider: Major Outage",
    });
    expect(await runCheck(check(url, "k7730b5v92bv"))).toMatchObject({ outcome: "up", providerStatus: "operational" });
    expect(await runCheck(check(url, "Dashboard"))).toMatchObject({ outcome: "degraded" });
  });

  it("are down, naming it, when the component is missing from the page", async () => {
    const provider = await startProvider(json(summary("none", components)));
    expect(await runCheck(check(provider.base, "Billing"))).toEqual({
      outcome: "down",
      responseMs: expect.any(Number),
      message: 'component "Billing" not found on the page',
      statusCode: 200,
    });
  });

  it("are down for malformed JSON, a document that is not a summary, or an error status", async () => {
    const broken = await startProvider((_req, res) => res.end('{"status": {"indicator": "none"'));
    expect(await runCheck(check(broken.base))).toMatchObject({
      outcome: "down",
      message: "the provider's page is not valid JSON",
    });
    const html = await startProvider(json(["not", "a", "summary"]));
    expect(await runCheck(check(html.base))).toMatchObject({
      outcome: "down",
      message: "the provider's page is not a Statuspage summary",
    });
    const failing = await startProvider((_req, res) => res.writeHead(502).end("Bad gateway"));
    expect(await runCheck(check(failing.base))).toMatchObject({
      outcome: "down",
      message: "the provider's page answered HTTP 502",
      statusCode: 502,
    });
  });

  it("follow a redirect to the page's new address", async () => {
    const provider = await startProvider((req, res) =>
      req.url === "/api/v2/summary.json"
        ? res.writeHead(301, { location: "/moved/api/v2/summary.json" }).end()
        : json(summary("none", components))(req, res),
    );
    expect(await runCheck(check(provider.base))).toMatchObject({ outcome: "up", providerStatus: "operational" });
    expect(provider.paths).toEqual(["/api/v2/summary.json", "/moved/api/v2/summary.json"]);
  });

  it("refuse a summary larger than 2 MB without reading all of it", async () => {
    const provider = await startProvider((_req, res) => {
      res.writeHead(200);
      res.write(`{"status":{"indicator":"none"},"pad":"${"x".repeat(3 * 1024 * 1024)}`);
      // ...and the document never ends.
    });
    expect(await runCheck({ ...check(provider.base), timeoutMs: 60_000 })).toMatchObject({
      outcome: "down",
      message: "the provider's page is larger than 2 MB",
    });
  });
});
