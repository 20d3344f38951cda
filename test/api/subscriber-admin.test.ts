import { afterEach, describe, expect, it } from "vitest";
import { count, eq } from "drizzle-orm";
import { subscribers } from "@/db/schema";
import { makeApp } from "@/test/support/app";
import { readOutbox, recipients, waitForOutbox } from "@/test/support/outbox";

type Env = Awaited<ReturnType<typeof makeApp>>;
const envs: Env[] = [];
afterEach(async () => {
  for (const env of envs.splice(0)) await env.cleanup();
});

async function setup() {
  const env = await makeApp();
  envs.push(env);
  const comps = (await (await env.call("GET", "/api/v1/components")).json()) as { id: string; name: string }[];
  return { ...env, id: (name: string) => comps.find((c) => c.name === name)!.id };
}

describe("importing subscribers", () => {
  it("takes 10,000 rows in one request, reports invalid rows by index and merges duplicates", async () => {
    const s = await setup();
    const rows: unknown[] = Array.from({ length: 10_000 }, (_, i) => ({
      email: `customer${i}@example.com`,
      components: i % 2 ? [s.id("Webtix")] : undefined,
    }));
    rows.push({ email: "not an address" }, { email: "customer1@example.com", components: [s.id("tix3")] });
    rows.push({ email: "x@example.com", components: ["nope"] }, { email: "evil@example.com\r\nBcc: a@b.c" });
    const started = performance.now();
    const res = await s.call("POST", "/api/v1/subscribers/import", { subscribers: rows, skip_confirmation: true });
    const took = performance.now() - started;
    expect(res.status).toBe(200);
    const report = await res.json();
    expect(report).toMatchObject({ created: 10_000, updated: 0, skipped: 0, merged: 1 });
    expect(report.invalid.map((r: { index: number }) => r.index)).toEqual([10_000, 10_002, 10_003]);
    const [{ n }] = await s.deps.db.select({ n: count() }).from(subscribers).where(eq(subscribers.status, "active"));
    expect(n).toBe(10_000);
    const listed = await (await s.call("GET", "/api/v1/subscribers?search=customer1@example.com")).json();
    expect(listed.subscribers[0].components.sort()).toEqual([s.id("Webtix"), s.id("tix3")].sort());
    expect(took).toBeLessThan(10_000);
  });

  it("without skip_confirmation, sends each new address one confirmation through the outbox, and nothing else", async () => {
    const s = await setup();
    const rows = [{ email: "ann@example.com" }, { email: "bob@example.com", components: [s.id("Webtix")] }];
    const res = await s.call("POST", "/api/v1/subscribers/import", { subscribers: rows, skip_confirmation: false });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ created: 2 });
    // Queued in the same request: the answer comes back with the emails already in the outbox table.
    const mails = await waitForOutbox(s.outbox, 2);
    expect(mails.map((m) => recipients(m)[0]).sort()).toEqual(["ann@example.com", "bob@example.com"]);
    expect(mails.every((m) => /Confirm/.test(m.subject ?? ""))).toBe(true);
    // Until they follow the link, an incident reaches neither.
    await s.call("POST", "/api/v1/incidents", {
      name: "Webtix down",
      components: { [s.id("Webtix")]: "major_outage" },
    });
    await s.notifier.idle();
    expect(await readOutbox(s.outbox)).toHaveLength(2);
    const link = mails[0]!.text!.match(/https?:\/\/\S+\/subscribe\/confirm\/\S+/)![0];
    expect((await s.app.request(new URL(link).pathname)).status).toBe(200);
  });

  it("never resubscribes an address that unsubscribed", async () => {
    const s = await setup();
    await s.call("POST", "/api/v1/subscribers/import", {
      subscribers: [{ email: "gone@example.com" }],
      skip_confirmation: true,
    });
    await s.deps.db
      .update(subscribers)
      .set({ status: "unsubscribed" })
      .where(eq(subscribers.email, "gone@example.com"));
    const report = await (
      await s.call("POST", "/api/v1/subscribers/import", {
        subscribers: [{ email: "gone@example.com" }],
        skip_confirmation: true,
      })
    ).json();
    expect(report).toMatchObject({ created: 0, skipped: 1 });
  });

  it("refuses an import over the size limit with 413, and a key without admin scope with 403", async () => {
    const s = await setup();
    const huge = JSON.stringify({ subscribers: [{ email: `${"a".repeat(9 * 1024 * 1024)}@example.com` }] });
    expect((await s.call("POST", "/api/v1/subscribers/import", huge)).status).toBe(413);
    const res = await s.call(
      "POST",
      "/api/v1/subscribers/import",
      { subscribers: [{ email: "a@example.com" }] },
      { scope: "write" },
    );
    expect(res.status).toBe(403);
    expect(await s.deps.db.select().from(subscribers)).toEqual([]);
  });
});

describe("staff view of subscribers and deliveries", () => {
  it("lists, searches and deletes subscribers", async () => {
    const s = await setup();
    await s.call("POST", "/api/v1/subscribers/import", {
      subscribers: [{ email: "ann@example.com" }, { email: "bob@example.com" }],
      skip_confirmation: true,
    });
    const all = await (await s.call("GET", "/api/v1/subscribers")).json();
    expect(all.total).toBe(2);
    const ann = (await (await s.call("GET", "/api/v1/subscribers?search=ann")).json()).subscribers;
    expect(ann.map((x: { email: string }) => x.email)).toEqual(["ann@example.com"]);
    expect((await s.call("DELETE", `/api/v1/subscribers/${ann[0].id}`)).status).toBe(204);
    expect((await (await s.call("GET", "/api/v1/subscribers")).json()).total).toBe(1);
    expect((await s.call("DELETE", `/api/v1/subscribers/${ann[0].id}`)).status).toBe(404);
  });

  it("shows each notification's delivery progress", async () => {
    const s = await setup();
    await s.call("POST", "/api/v1/subscribers/import", {
      subscribers: [{ email: "ann@example.com" }, { email: "bob@example.com", components: [s.id("tix3")] }],
      skip_confirmation: true,
    });
    await s.call("POST", "/api/v1/incidents", {
      name: "Webtix down",
      components: { [s.id("Webtix")]: "major_outage" },
    });
    await s.notifier.idle();
    const [progress] = await (await s.call("GET", "/api/v1/notifications", undefined, { scope: "read" })).json();
    expect(progress).toMatchObject({ recipients: 1, sent: 1, pending: 0, failed: 0 });
  });
});
