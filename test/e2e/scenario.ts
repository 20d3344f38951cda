import { expect } from "vitest";
import Parser from "rss-parser";
import type { FakeResend } from "@/test/support/fake-resend";
import { waitUntil } from "@/test/support/wait";

/**
 * The story every runtime must tell, run against a real server: staff open an incident on tix1, readers see it
 * everywhere, staff post updates until it is resolved, and the page returns to normal with the incident in history.
 */
export async function runOutageScenario(base: string, key: string) {
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, json: res.status === 204 ? null : await res.json() };
  };
  const read = async (path: string) => {
    const res = await fetch(`${base}${path}`);
    expect(res.status, path).toBe(200);
    return res.text();
  };
  /** Polls until the published page shows what a write changed. How soon is the benchmark's business. */
  const eventually = async (path: string, check: (text: string) => boolean) => {
    let last = "";
    await waitUntil(async () => check((last = await read(path))), `${path} changing`).catch((error: Error) => {
      throw new Error(`${error.message}:\n${last.slice(0, 500)}`);
    });
  };

  const status = JSON.parse(await read("/api/v2/status.json"));
  expect(status.status).toEqual({ indicator: "none", description: "All Systems Operational" });
  const components = (await api("GET", "/components")).json as { id: string; name: string }[];
  expect(components.map((c) => c.name).sort()).toEqual(["Webtix", "Wintix", "tix1", "tix2", "tix3", "tix4", "tix5"]);
  const tix1 = components.find((c) => c.name === "tix1")!;

  const opened = await api("POST", "/incidents", {
    name: "Webtix down on tix1",
    body: "Online sales through **tix1** fail. Box-office sales (Wintix) work.",
    components: { [tix1.id]: "major_outage" },
  });
  expect(opened.status).toBe(201);
  const id = opened.json.id as string;

  await eventually("/api/v2/summary.json", (t) => t.includes(id));
  const summary = JSON.parse(await read("/api/v2/summary.json"));
  expect(summary.status).toEqual({ indicator: "major", description: "Partial System Outage" });
  expect(summary.components.find((c: { id: string }) => c.id === tix1.id).status).toBe("major_outage");
  expect(await read("/")).toContain("Webtix down on tix1");
  expect(await read(`/incidents/${id}`)).toContain("<strong>tix1</strong>");
  expect(await read("/history")).toContain("Webtix down on tix1");
  for (const doc of ["incidents.json", "incidents/unresolved.json"]) {
    expect(JSON.parse(await read(`/api/v2/${doc}`)).incidents.map((i: { id: string }) => i.id)).toContain(id);
  }
  for (const doc of [
    "components.json",
    "scheduled-maintenances.json",
    "scheduled-maintenances/upcoming.json",
    "scheduled-maintenances/active.json",
  ]) {
    expect(JSON.parse(await read(`/api/v2/${doc}`)).page.name).toBeTruthy();
  }

  for (const next of ["identified", "monitoring", "resolved"]) {
    const posted = await api("POST", `/incidents/${id}/updates`, { status: next, body: `Now ${next}.` });
    expect(posted.status).toBe(201);
  }
  // The audit log on this runtime (SQLite, or D1 in batches) holds each step with the incident's status moves.
  const audit = (await api("GET", `/audit?resource_type=incident&resource_id=${id}`)).json as {
    entries: { action: string; actor: { kind: string }; after: { status: string } }[];
  };
  expect(audit.entries.map((e) => `${e.actor.kind} ${e.action} ${e.after.status}`)).toEqual([
    "api_key resolve resolved",
    "api_key post_update monitoring",
    "api_key post_update identified",
    "api_key create investigating",
  ]);
  await eventually("/api/v2/status.json", (t) => t.includes("All Systems Operational"));
  expect(await read("/")).toContain("All Systems Operational");
  expect(JSON.parse(await read("/api/v2/incidents/unresolved.json")).incidents).toEqual([]);

  const incidentPage = await read(`/incidents/${id}`);
  for (const label of ["Resolved", "Monitoring", "Identified", "Investigating"]) expect(incidentPage).toContain(label);
  expect(incidentPage.indexOf("Now resolved.")).toBeLessThan(incidentPage.indexOf("Now identified."));

  const parser = new Parser();
  const rss = await parser.parseString(await read("/history.rss"));
  const atom = await parser.parseString(await read("/history.atom"));
  for (const feed of [rss, atom]) {
    const item = feed.items.find((i) => i.title === "Webtix down on tix1");
    expect(item?.link).toMatch(new RegExp(`/incidents/${id}$`));
    expect(item?.content ?? "").toContain("Resolved");
  }
  return { id };
}

type Api = (method: string, path: string, body?: unknown) => Promise<Response>;

const staffApi =
  (base: string, key: string): Api =>
  (method, path, body) =>
    fetch(`${base}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

/** Waits for an email to `address` whose subject matches, and says what was accepted if none comes. */
async function waitForMail(resend: FakeResend, address: string, subject: RegExp) {
  return waitUntil(
    () => resend.accepted.find((m) => m.to === address && subject.test(m.subject)),
    `an email to ${address} matching ${subject}`,
  ).catch((error: Error) => {
    const seen = resend.accepted.map((m) => `${m.to}: ${m.subject}`).join("\n");
    throw new Error(`${error.message}; accepted:\n${seen}`);
  });
}

/** Links in emails carry the page's public address; the path is followed on this server. */
const pathOf = (text: string, pattern: RegExp) => new URL(text.match(pattern)![0]).pathname;

/** Subscribes through the public form's JSON and confirms from the email, as a reader does. */
async function subscribeAndConfirm(base: string, resend: FakeResend, email: string, body: Record<string, unknown>) {
  const res = await fetch(`${base}/subscribe`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email, ...body }),
  });
  expect(res.status).toBe(202);
  // The answer never carries the token: it travels by email only.
  expect(await res.text()).not.toMatch(/confirm\//);
  const confirmation = await waitForMail(resend, email, /confirm/i);
  // The link shows a button (mail scanners follow links); its form posts the token in the body.
  const shown = await fetch(base + pathOf(confirmation.text!, /https?:\/\/\S+\/subscribe\/confirm\/\S+/));
  expect(shown.status).toBe(200);
  const token = (await shown.text()).match(/name="token" value="([^"]+)"/)![1]!;
  const confirmed = await fetch(`${base}/subscribe/confirm`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", "sec-fetch-site": "same-origin" },
    body: new URLSearchParams({ token }).toString(),
  });
  expect(confirmed.status).toBe(200);
  expect(await confirmed.text()).toContain("will now receive status updates");
}

/**
 * The subscriber's story, with email through a fake Resend: subscribe to Webtix, confirm by the emailed link, hear
 * about an outage once, unsubscribe with one click (RFC 8058), and hear nothing more while others still do.
 */
export async function runSubscriberScenario(base: string, key: string, resend: FakeResend) {
  const api = staffApi(base, key);
  const mailsTo = (address: string) => resend.accepted.filter((m) => m.to === address);
  const components = (await (await api("GET", "/components")).json()) as { id: string; name: string }[];
  const webtix = components.find((c) => c.name === "Webtix")!.id;
  await subscribeAndConfirm(base, resend, "ann@example.com", { components: [webtix] });
  await subscribeAndConfirm(base, resend, "bob@example.com", {});

  const opened = await api("POST", "/incidents", {
    name: "Webtix checkout failing",
    body: "Payments time out at checkout.",
    components: { [webtix]: "partial_outage" },
  });
  expect(opened.status).toBe(201);
  const { id } = (await opened.json()) as { id: string };
  const alert = await waitForMail(resend, "ann@example.com", /Webtix checkout failing/);
  expect(alert.headers["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
  const unsubscribePath = pathOf(alert.headers["List-Unsubscribe"]!, /https?:\/\/[^>]+/);
  const oneClick = await fetch(base + unsubscribePath, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: "List-Unsubscribe=One-Click",
  });
  expect(oneClick.status).toBe(200);

  expect(
    (await api("POST", `/incidents/${id}/updates`, { status: "resolved", body: "Checkout works again." })).status,
  ).toBe(201);
  await waitForMail(resend, "bob@example.com", /Resolved/i);
  // Bob heard the resolution, so the sender is past it: Ann, unsubscribed, did not.
  const annSubjects = mailsTo("ann@example.com").map((m) => m.subject);
  expect(annSubjects.filter((s) => /Webtix checkout failing/.test(s))).toHaveLength(1);
  // Exactly once: neither address got the same email twice.
  const sent = resend.accepted
    .filter((m) => m.to === "ann@example.com" || m.to === "bob@example.com")
    .map((m) => `${m.to}: ${m.subject}`);
  expect(sent.filter((m, i) => sent.indexOf(m) !== i)).toEqual([]);
}

/**
 * The outage Marquee was born from, noticed by Marquee itself: tix1 stops answering, its monitor marks it down and
 * opens an incident, its subscribers are emailed, and when tix1 answers again the incident resolves itself.
 * `target` is tix1: a local HTTP server the test stops and starts; `tick` runs the runtime's scheduled work.
 */
export async function runMonitorScenario(
  base: string,
  key: string,
  resend: FakeResend,
  target: { url: string; stop(): Promise<void>; start(): Promise<void> },
  tick: () => Promise<void>,
) {
  const api = staffApi(base, key);
  const components = (await (await api("GET", "/components")).json()) as { id: string; name: string }[];
  const tix1 = components.find((c) => c.name === "tix1")!.id;
  await subscribeAndConfirm(base, resend, "cat@example.com", { components: [tix1] });
  const created = await api("POST", "/monitors", {
    name: "tix1 health",
    type: "http",
    url: `${target.url}/health`,
    interval_seconds: 5,
    timeout_ms: 2000,
    failure_threshold: 1,
    success_threshold: 1,
    component_id: tix1,
    incident: "publish",
    notify: true,
  });
  expect(created.status).toBe(201);
  const { id } = (await created.json()) as { id: string };
  const monitorState = async () => ((await (await api("GET", `/monitors/${id}`)).json()) as { state: string }).state;
  const tix1Status = async () => {
    const summary = (await (await fetch(`${base}/api/v2/summary.json`)).json()) as {
      components: { id: string; status: string }[];
      incidents: { name: string; status: string }[];
    };
    return { status: summary.components.find((c) => c.id === tix1)!.status, incidents: summary.incidents };
  };
  const until = (what: string, ok: () => Promise<boolean>) =>
    waitUntil(async () => (await ok()) || (await tick(), false), what, { timeoutMs: 90_000, everyMs: 250 });

  await until("the monitor up", async () => (await monitorState()) === "up");
  await target.stop();
  await until("tix1 major_outage in summary.json with an open incident", async () => {
    const now = await tix1Status();
    return now.status === "major_outage" && now.incidents.some((i) => i.name === "tix1 is unavailable");
  });
  await waitForMail(resend, "cat@example.com", /tix1 is unavailable/);
  await target.start();
  await until("tix1 operational again and no open incident", async () => {
    const now = await tix1Status();
    return now.status === "operational" && now.incidents.length === 0;
  });
  await waitForMail(resend, "cat@example.com", /Resolved/i);
  const incidents = (await (await api("GET", "/incidents")).json()) as { name: string; status: string }[];
  expect(incidents.find((i) => i.name === "tix1 is unavailable")?.status).toBe("resolved");
  // The monitor goes with the scenario: on a busy machine a check that times out would open another incident
  // during the next scenario.
  expect((await api("DELETE", `/monitors/${id}`)).status).toBe(204);
}

/**
 * Chat on every runtime: staff add a broadcast channel per platform (local fake platforms, ALLOW_PRIVATE_WEBHOOKS),
 * open an incident, and each channel gets the update once, as its platform's native message.
 */
export async function runChatScenario(
  base: string,
  key: string,
  fake: {
    url: (platform: "slack" | "discord" | "teams" | "google_chat", hook: string) => string;
    posts: { platform: string; hook: string; json: unknown; problems: string[] }[];
  },
  tick: () => Promise<void>,
) {
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, json: res.status === 204 ? null : await res.json() };
  };
  const platforms = ["slack", "discord", "teams", "google_chat"] as const;
  for (const type of platforms) {
    const made = await api("POST", "/channels", { type, url: fake.url(type, `e2e-${type}`), purpose: "broadcast" });
    expect(made.status, JSON.stringify(made.json)).toBe(201);
    expect(made.json.url).not.toContain(`e2e-${type}`);
  }
  const opened = await api("POST", "/incidents", {
    name: "Chat: Webtix down on tix2",
    body: "Sales fail on **tix2**.",
  });
  expect(opened.status).toBe(201);
  const mine = () => fake.posts.filter((p) => JSON.stringify(p.json).includes("Chat: Webtix down on tix2"));
  await waitUntil(async () => {
    if (mine().length < platforms.length) await tick();
    return mine().length >= platforms.length;
  }, "every broadcast channel getting the update");
  expect(
    mine()
      .map((p) => p.platform)
      .sort(),
  ).toEqual([...platforms].sort());
  for (const post of mine()) expect(post.problems, post.platform).toEqual([]);
  const channels = (await api("GET", "/channels")).json as { status: string; last_error: string | null }[];
  expect(channels.map((c) => c.status)).toEqual(["active", "active", "active", "active"]);
}
