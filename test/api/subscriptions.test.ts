import { afterEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { rateLimits, subscribers } from "@/db/schema";
import { deleteStaleRateLimits } from "@/api/services/rate-limit";
import { commit } from "@/api/services/effects";
import { tick } from "@/api/services/tick";
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
  const components = (await (await env.call("GET", "/api/v1/components")).json()) as { id: string; name: string }[];
  const id = (name: string) => components.find((c) => c.name === name)!.id;
  const subscribe = (body: unknown) =>
    env.app.request("/subscribe", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  /** Subscribes and returns the path of the link in the confirmation email. */
  const subscribeForLink = async (email: string, components?: string[]) => {
    const before = (await readOutbox(env.outbox)).length;
    expect((await subscribe({ email, components })).status).toBe(202);
    const mails = await waitForOutbox(env.outbox, before + 1);
    const confirmation = mails.find((m) => recipients(m).includes(email) && /Confirm/.test(m.subject ?? ""))!;
    return new URL(confirmation.text!.match(/https?:\/\/\S+\/subscribe\/confirm\/\S+/)![0]).pathname;
  };
  /** Posts the confirmation page's form as a browser on this site would. */
  const pressConfirm = (token: string, headers: Record<string, string> = { "sec-fetch-site": "same-origin" }) =>
    env.app.request("/subscribe/confirm", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams({ token }).toString(),
    });
  /** Subscribes, follows the link in the confirmation email and presses its button. */
  const subscribeAndConfirm = async (email: string, components?: string[]) => {
    const link = await subscribeForLink(email, components);
    expect((await env.app.request(link)).status).toBe(200);
    const confirmed = await pressConfirm(link.split("/").at(-1)!);
    expect(confirmed.status).toBe(200);
    expect(await confirmed.text()).toContain("will now receive status updates");
  };
  const statusOf = async (email: string) =>
    (await env.deps.db.select().from(subscribers).where(eq(subscribers.email, email)))[0]!.status;
  const openIncident = async (name: string, component: string) => {
    const res = await env.call("POST", "/api/v1/incidents", { name, components: { [id(component)]: "major_outage" } });
    expect(res.status).toBe(201);
    await env.notifier.idle();
    return (await res.json()) as { id: string };
  };
  const mailsTo = async (email: string) => (await readOutbox(env.outbox)).filter((m) => recipients(m).includes(email));
  return {
    ...env,
    id,
    subscribe,
    subscribeForLink,
    pressConfirm,
    subscribeAndConfirm,
    statusOf,
    openIncident,
    mailsTo,
  };
}

describe("subscribing", () => {
  it("sends a confirmation link by email only, and nothing else until it is followed", async () => {
    const s = await setup();
    const res = await s.subscribe({ email: "Ann@Example.com", components: [s.id("Webtix")] });
    expect(res.status).toBe(202);
    const body = await res.text();
    expect(body).not.toMatch(/confirm\//);
    const [confirmation] = await waitForOutbox(s.outbox, 1);
    expect(recipients(confirmation!)).toEqual(["ann@example.com"]);
    await s.openIncident("Webtix down on tix1", "Webtix");
    expect((await s.mailsTo("ann@example.com")).map((m) => m.subject)).toEqual([confirmation!.subject]);
  });

  it("after confirmation, an incident on a chosen component arrives with one-click unsubscribe", async () => {
    const s = await setup();
    await s.subscribeAndConfirm("ann@example.com", [s.id("Webtix")]);
    const incident = await s.openIncident("Webtix down on tix1", "Webtix");
    const [mail] = (await s.mailsTo("ann@example.com")).filter((m) => /Webtix down on tix1/.test(m.subject ?? ""));
    expect(mail).toBeDefined();
    expect(mail!.text).toContain(`/incidents/${incident.id}`);
    expect(mail!.html).toBeTruthy();
    const header = (name: string) => mail!.headerLines.find((h) => h.key === name)?.line.replace(/\r?\n\s+/g, " ");
    expect(header("list-unsubscribe-post")).toBe("List-Unsubscribe-Post: List-Unsubscribe=One-Click");
    expect(header("list-unsubscribe")).toMatch(/^List-Unsubscribe: <https?:\/\/[^>]+\/unsubscribe\/[^>]+>$/);
  });

  it("a subscriber to tix3 only hears nothing about Webtix", async () => {
    const s = await setup();
    await s.subscribeAndConfirm("bob@example.com", [s.id("tix3")]);
    await s.openIncident("Webtix down on tix1", "Webtix");
    expect((await s.mailsTo("bob@example.com")).filter((m) => /Webtix/.test(m.subject ?? ""))).toEqual([]);
    await s.openIncident("tix3 slow", "tix3");
    expect((await s.mailsTo("bob@example.com")).filter((m) => /tix3 slow/.test(m.subject ?? ""))).toHaveLength(1);
  });

  it("the emailed link only shows a button, so a mail scanner following it confirms nothing", async () => {
    const s = await setup();
    const link = await s.subscribeForLink("scanned@example.com");
    const token = link.split("/").at(-1)!;
    for (let i = 0; i < 3; i++) {
      const res = await s.app.request(link);
      expect(res.status).toBe(200);
      expect(res.headers.get("referrer-policy")).toBe("no-referrer");
      const html = await res.text();
      // A plain form, no script needed; the token travels in its body, never in the URL it posts to.
      expect(html).toMatch(/<form method="post" action="\/subscribe\/confirm">/);
      expect(html).toContain(`<input type="hidden" name="token" value="${token}">`);
      expect(html).toContain("Confirm subscription");
    }
    expect(await s.statusOf("scanned@example.com")).toBe("unconfirmed");
    expect((await s.pressConfirm(token)).status).toBe(200);
    expect(await s.statusOf("scanned@example.com")).toBe("active");
  });

  it("refuses a confirmation posted from another site, confirming nothing", async () => {
    const s = await setup();
    const token = (await s.subscribeForLink("victim@example.com")).split("/").at(-1)!;
    for (const headers of <Record<string, string>[]>[
      { "sec-fetch-site": "cross-site" },
      { "sec-fetch-site": "same-site", origin: "https://evil.example.com" },
      { origin: "https://evil.example.com" },
    ]) {
      const res = await s.pressConfirm(token, headers);
      expect(res.status, JSON.stringify(headers)).toBe(403);
      expect(await res.text()).toContain("did not come from this site");
    }
    expect(await s.statusOf("victim@example.com")).toBe("unconfirmed");
    // What browsers send from the button page itself, under its no-referrer policy: Origin null.
    expect((await s.pressConfirm(token, { origin: "null" })).status).toBe(200);
    expect(await s.statusOf("victim@example.com")).toBe("active");
  });

  it("a used or unknown token posted to the button gets the plain 404 page", async () => {
    const s = await setup();
    const token = (await s.subscribeForLink("twice@example.com")).split("/").at(-1)!;
    expect((await s.pressConfirm(token)).status).toBe(200);
    expect((await s.pressConfirm(token)).status).toBe(404);
    expect((await s.pressConfirm("nonsense")).status).toBe(404);
    const empty = await s.app.request("/subscribe/confirm", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "",
    });
    expect(empty.status).toBe(404);
  });

  it("an expired confirmation link gets the plain 404 page and subscribes nobody", async () => {
    const s = await setup();
    await s.subscribe({ email: "late@example.com" });
    const [mail] = await waitForOutbox(s.outbox, 1);
    const link = new URL(mail!.text!.match(/https?:\/\/\S+\/subscribe\/confirm\/\S+/)![0]).pathname;
    s.clock.advance(49 * 3600e3);
    expect((await s.app.request(link)).status).toBe(404);
    expect((await s.pressConfirm(link.split("/").at(-1)!)).status).toBe(404);
    const [row] = await s.deps.db.select().from(subscribers).where(eq(subscribers.email, "late@example.com"));
    expect(row!.status).toBe("unconfirmed");
  });

  it("hears about a maintenance when it is scheduled, when it starts and when it completes", async () => {
    const s = await setup();
    await s.subscribeAndConfirm("ops@example.com", [s.id("Wintix")]);
    const start = s.clock() + 3600e3;
    const res = await s.call("POST", "/api/v1/maintenances", {
      name: "Wintix upgrade",
      components: [s.id("Wintix")],
      scheduled_for: new Date(start).toISOString(),
      scheduled_until: new Date(start + 3600e3).toISOString(),
    });
    expect(res.status).toBe(201);
    await s.notifier.idle();
    s.clock.set(start + 60_000);
    await commit(s, tick(s.deps, null));
    await s.notifier.idle();
    s.clock.set(start + 2 * 3600e3);
    await commit(s, tick(s.deps, null));
    await s.notifier.idle();
    const subjects = (await s.mailsTo("ops@example.com"))
      .map((m) => m.subject ?? "")
      .filter((t) => t.includes("Wintix upgrade"));
    expect(subjects).toHaveLength(3);
    expect(subjects.join("\n")).toMatch(/Scheduled[\s\S]*In progress[\s\S]*Completed/i);
  });

  it("works as a plain HTML form, without JavaScript", async () => {
    const s = await setup();
    const form = new URLSearchParams([
      ["email", "form@example.com"],
      ["components", s.id("Wintix")],
    ]);
    const res = await s.app.request("/subscribe", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: form.toString(),
    });
    expect(res.status).toBe(202);
    expect(res.headers.get("content-type")).toMatch(/text\/html/);
    expect(await res.text()).toContain("Check your inbox");
    await waitForOutbox(s.outbox, 1);
  });

  it("answers a multipart form without its boundary with a readable 400 page, storing nothing", async () => {
    const s = await setup();
    const res = await s.app.request("/subscribe", {
      method: "POST",
      headers: { "content-type": "multipart/form-data" },
      body: "email=broken@example.com",
    });
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toMatch(/text\/html/);
    expect(await res.text()).toContain("The form could not be read");
    expect(await s.deps.db.select().from(subscribers)).toEqual([]);
  });

  it("the confirmation button answers an unreadable form with a readable 400 page, confirming nothing", async () => {
    const s = await setup();
    const token = (await s.subscribeForLink("unreadable@example.com")).split("/").at(-1)!;
    const broken = { "content-type": "multipart/form-data", "sec-fetch-site": "same-origin" };
    const confirm = await s.app.request("/subscribe/confirm", {
      method: "POST",
      headers: broken,
      body: `token=${token}`,
    });
    expect(confirm.status).toBe(400);
    expect(await confirm.text()).toContain("The form could not be read");
    expect(await s.statusOf("unreadable@example.com")).toBe("unconfirmed");
  });

  it("keeps its own 16 KB limit on bodies", async () => {
    const s = await setup();
    const res = await s.subscribe({ email: "big@example.com", pad: "x".repeat(17 * 1024) });
    expect(res.status).toBe(413);
    expect((await res.json()).error.code).toBe("payload_too_large");
  });

  it("answers the same for a new address and an already subscribed one, and sends no flood", async () => {
    const s = await setup();
    await s.subscribeAndConfirm("ann@example.com");
    const again = await (await s.subscribe({ email: "ann@example.com" })).json();
    const fresh = await (await s.subscribe({ email: "new@example.com" })).json();
    expect(again).toEqual(fresh);
    for (let i = 0; i < 5; i++) await s.subscribe({ email: "victim@example.com" });
    await new Promise((r) => setTimeout(r, 200));
    expect((await s.mailsTo("victim@example.com")).length).toBeLessThanOrEqual(3);
  });

  it("refuses invalid addresses and header injection, storing nothing", async () => {
    const s = await setup();
    for (const email of ["not-an-address", "a@example.com\r\nBcc: x@evil.test", ""]) {
      const res = await s.subscribe({ email });
      expect(res.status).toBe(422);
      expect((await res.json()).error.code).toBe("validation_failed");
    }
    expect(await s.deps.db.select().from(subscribers)).toEqual([]);
  });
});

describe("unsubscribing and managing", () => {
  async function confirmedWithLinks() {
    const s = await setup();
    await s.subscribeAndConfirm("ann@example.com");
    await s.openIncident("Webtix down on tix1", "Webtix");
    const [mail] = (await s.mailsTo("ann@example.com")).filter((m) => /Webtix down/.test(m.subject ?? ""));
    const unsubscribe = new URL(mail!.text!.match(/https?:\/\/\S+\/unsubscribe\/\S+/)![0]).pathname;
    const manage = new URL(mail!.text!.match(/https?:\/\/\S+\/manage\/\S+/)![0]).pathname;
    return { s, unsubscribe, manage };
  }

  it("one click (RFC 8058) unsubscribes at once, and no later update arrives", async () => {
    const { s, unsubscribe } = await confirmedWithLinks();
    const page = await s.app.request(unsubscribe);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(`action="${unsubscribe}"`);
    const res = await s.app.request(unsubscribe, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "List-Unsubscribe=One-Click",
    });
    expect(res.status).toBe(200);
    const [row] = await s.deps.db.select().from(subscribers).where(eq(subscribers.email, "ann@example.com"));
    expect(row!.status).toBe("unsubscribed");
    const before = (await s.mailsTo("ann@example.com")).length;
    await s.openIncident("Wintix down", "Wintix");
    expect((await s.mailsTo("ann@example.com")).length).toBe(before);
  });

  it("a forged or unknown token gets a plain 404 page that reveals nothing", async () => {
    const { s, unsubscribe } = await confirmedWithLinks();
    const forged = unsubscribe.replace(/.$/, (ch) => (ch === "0" ? "1" : "0"));
    for (const path of [forged, "/unsubscribe/nonsense", "/manage/nonsense", "/subscribe/confirm/nonsense"]) {
      const res = await s.app.request(path);
      expect(res.status, path).toBe(404);
      expect(await res.text()).not.toContain("ann@example.com");
    }
  });

  it("the manage page answers an unreadable form with a readable 400 page, changing nothing", async () => {
    const { s, manage } = await confirmedWithLinks();
    const res = await s.app.request(manage, {
      method: "POST",
      headers: { "content-type": "multipart/form-data" },
      body: "components=x",
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain("The form could not be read");
    const [row] = await s.deps.db.select().from(subscribers).where(eq(subscribers.email, "ann@example.com"));
    expect(row!.allComponents).toBe(true);
  });

  it("the manage page changes which components a subscriber hears about", async () => {
    const { s, manage } = await confirmedWithLinks();
    const managePage = await (await s.app.request(manage)).text();
    expect(managePage).toContain('name="components"');
    expect(managePage).toContain(`action="${manage.replace("/manage/", "/unsubscribe/")}"`);
    const res = await s.app.request(manage, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams([["components", s.id("tix5")]]).toString(),
    });
    expect(res.status).toBe(200);
    const before = (await s.mailsTo("ann@example.com")).length;
    await s.openIncident("Wintix down", "Wintix");
    expect((await s.mailsTo("ann@example.com")).length).toBe(before);
    await s.openIncident("tix5 down", "tix5");
    expect((await s.mailsTo("ann@example.com")).length).toBe(before + 1);
  });
});

describe("rate-limit counters", () => {
  it("are dropped a day after their window", async () => {
    const s = await setup();
    await s.subscribe({ email: "old@example.com" });
    expect((await s.deps.db.select().from(rateLimits)).length).toBe(3);
    await deleteStaleRateLimits(s.deps.db, s.clock() + 2 * 3600e3);
    expect((await s.deps.db.select().from(rateLimits)).length).toBe(3);
    await deleteStaleRateLimits(s.deps.db, s.clock() + 25 * 3600e3);
    expect(await s.deps.db.select().from(rateLimits)).toEqual([]);
  });
});

describe("the per-client limit", () => {
  it("allows 20 requests an hour from one client, keyed by the address the runtime vouches for", async () => {
    const s = await setup();
    // As the Workers entry passes Cloudflare's CF-Connecting-IP; a forged X-Forwarded-For does not change who it is.
    const from = (clientIp: string, i: number) =>
      s.app.request(
        "/subscribe",
        {
          method: "POST",
          headers: { "content-type": "application/json", "x-forwarded-for": `198.51.100.${i}` },
          body: JSON.stringify({ email: `reader${i}@example.com` }),
        },
        { clientIp },
      );
    for (let i = 0; i < 20; i++) expect((await from("203.0.113.7", i)).status).toBe(202);
    const limited = await from("203.0.113.7", 20);
    expect(limited.status).toBe(429);
    expect((await limited.json()).error.code).toBe("rate_limited");
    expect((await from("203.0.113.8", 21)).status).toBe(202);
  });
});
