import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type Server } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { makeApp } from "@/test/support/app";

type Received = { headers: Record<string, string | string[] | undefined>; body: string; json: Record<string, any> };

/** A webhook receiver on 127.0.0.1 that answers with the statuses it is given, then 200. */
async function startReceiver(statuses: number[] = []) {
  const received: Received[] = [];
  const server: Server = createServer(async (req, res) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    received.push({ headers: req.headers, body, json: JSON.parse(body) });
    res.writeHead(statuses.shift() ?? 200).end();
  });
  await new Promise<void>((ok) => server.listen(0, "127.0.0.1", ok));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`;
  return { url, received, close: () => new Promise<void>((ok) => server.close(() => ok())) };
}

/** What a receiver does with the secret it was given: recompute the signature and compare in constant time. */
function signatureValid(secret: string, r: Received) {
  const [t, v1] = String(r.headers["x-marquee-signature"])
    .split(",")
    .map((p) => p.split("=")[1]!);
  const expected = createHmac("sha256", secret).update(`${t}.${r.body}`).digest("hex");
  return timingSafeEqual(Buffer.from(expected), Buffer.from(v1!));
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function setup(statuses?: number[]) {
  // The receiver listens on 127.0.0.1, which only an operator's ALLOW_PRIVATE_WEBHOOKS lets through.
  const env = await makeApp({ allowPrivateWebhooks: true });
  const receiver = await startReceiver(statuses);
  cleanups.push(env.cleanup, receiver.close);
  const created = await env.call("POST", "/api/v1/webhooks", { url: receiver.url, description: "chat bot" });
  expect(created.status).toBe(201);
  const endpoint = await created.json();
  const comps = (await (await env.call("GET", "/api/v1/components")).json()) as { id: string; name: string }[];
  return { ...env, receiver, endpoint, tix1: comps.find((c) => c.name === "tix1")! };
}

describe("webhook subscribers", () => {
  it("receive an incident and each component change in Statuspage's format, signed", async () => {
    const s = await setup();
    const res = await s.call("POST", "/api/v1/incidents", {
      name: "Webtix down on tix1",
      components: { [s.tix1.id]: "major_outage" },
    });
    const incident = await res.json();
    await s.notifier.idle();
    const incidentHook = s.receiver.received.find((r) => "incident" in r.json)!;
    const componentHook = s.receiver.received.find((r) => "component_update" in r.json)!;
    expect(incidentHook.json.incident.id).toBe(incident.id);
    expect(incidentHook.json.incident.incident_updates[0].status).toBe("investigating");
    expect(incidentHook.json.page.status_description).toBe("Partial System Outage");
    expect(componentHook.json.component_update).toMatchObject({
      old_status: "operational",
      new_status: "major_outage",
      component_id: s.tix1.id,
    });
    expect(componentHook.json.component.id).toBe(s.tix1.id);
    for (const r of [incidentHook, componentHook]) {
      expect(r.headers["content-type"]).toBe("application/json");
      expect(signatureValid(s.endpoint.secret, r)).toBe(true);
      expect(signatureValid("some other secret", r)).toBe(false);
    }
  });

  it("are retried after a failure and land once", async () => {
    const s = await setup([500, 503]);
    await s.call("PATCH", `/api/v1/components/${s.tix1.id}`, { status: "degraded_performance" });
    for (let i = 0; i < 50 && s.receiver.received.length < 3; i++) {
      await new Promise((r) => setTimeout(r, 30));
      s.clock.advance(3600e3);
      s.notifier.wake();
      await s.notifier.idle();
    }
    expect(s.receiver.received).toHaveLength(3);
    expect(new Set(s.receiver.received.map((r) => r.headers["x-marquee-delivery"])).size).toBe(1);
    const [listed] = await (await s.call("GET", "/api/v1/webhooks")).json();
    expect(listed.deliveries).toEqual({ sent: 1, pending: 0, failed: 0 });
  });

  it("record the failure where staff see it when the receiver keeps failing", async () => {
    const s = await setup(Array(20).fill(500));
    await s.call("PATCH", `/api/v1/components/${s.tix1.id}`, { status: "partial_outage" });
    for (let i = 0; i < 200; i++) {
      const [listed] = await (await s.call("GET", "/api/v1/webhooks")).json();
      if (listed.deliveries.failed === 1) break;
      await new Promise((r) => setTimeout(r, 20));
      s.clock.advance(3600e3);
      s.notifier.wake();
      await s.notifier.idle();
    }
    const [listed] = await (await s.call("GET", "/api/v1/webhooks")).json();
    expect(listed.deliveries.failed).toBe(1);
    expect(listed.last_error).toBe("answered 500");
    expect(s.receiver.received).toHaveLength(10);
  });

  it("refuse a URL that is not http(s), and keep the secret out of every later answer", async () => {
    const s = await setup();
    const bad = await s.call("POST", "/api/v1/webhooks", { url: "file:///etc/passwd" });
    expect(bad.status).toBe(422);
    const listed = await (await s.call("GET", "/api/v1/webhooks")).text();
    expect(listed).not.toContain(s.endpoint.secret);
    expect((await s.call("GET", "/api/v1/webhooks", undefined, { scope: "write" })).status).toBe(403);
  });
});
