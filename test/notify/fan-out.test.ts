import { afterEach, describe, expect, it, vi } from "vitest";
import { eq } from "drizzle-orm";
import { components, notifications } from "@/db/schema";
import { createNotifier } from "@/api/notify/notifier";
import { createResendTransport } from "@/api/notify/resend-transport";
import { openIncident, postIncidentUpdate } from "@/api/services/incidents";
import { importSubscribers } from "@/api/services/subscribers";
import { makeDeps } from "@/test/support/deps";
import { type FakeResend, startFakeResend } from "@/test/support/fake-resend";

// Counts the Markdown renders: what each notification must do once, whatever its number of recipients.
const markdown = vi.hoisted(() => ({ rendered: [] as string[] }));
vi.mock("@/present/markdown", async (importOriginal) => {
  const original = await importOriginal<typeof import("@/present/markdown")>();
  return {
    ...original,
    renderMarkdown: (text: string) => {
      markdown.rendered.push(text);
      return original.renderMarkdown(text);
    },
  };
});

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const body =
  "Our provider restarts a data centre.\n\n**tix1** is down; Wintix keeps working.\n\n- Sell at the box office";

/** `count` confirmed subscribers of every component, and a notifier sending through a local fake Resend. */
async function fanOutOf(count: number, requestsPerSecond: number) {
  const env = await makeDeps();
  const resend = await startFakeResend();
  cleanups.push(env.cleanup, () => resend.close());
  const rows = Array.from({ length: count }, (_, i) => ({ email: `s${i}@example.com` }));
  await importSubscribers(env.deps, rows, true, new Set());
  const notifier = createNotifier({
    ...env.deps,
    transport: createResendTransport({ apiKey: "re_test", baseUrl: resend.url, requestsPerSecond }),
  });
  cleanups.push(() => notifier.stop());
  return { ...env, resend, notifier };
}

async function until(condition: () => boolean) {
  while (!condition()) await new Promise((r) => setTimeout(r, 5));
}

const batchKeys = (resend: FakeResend) =>
  resend.requests.filter((r) => r.path === "/emails/batch").map((r) => r.idempotencyKey);

describe("fan-out of one update", () => {
  it("renders the update's Markdown once per notification, however many chunks it has", async () => {
    const { deps, resend, notifier } = await fanOutOf(350, 1000);
    const [webtix] = await deps.db.select().from(components).where(eq(components.name, "Webtix"));
    const { value: incident } = await openIncident(deps, {
      name: "Webtix down",
      status: "investigating",
      body,
      components: { [webtix!.id]: "major_outage" },
      notify: true,
    });
    markdown.rendered.length = 0;
    notifier.wake();
    await notifier.idle();

    expect(resend.accepted).toHaveLength(350);
    expect(markdown.rendered.filter((text) => text === body)).toHaveLength(1);
    // The shared parts reach every recipient; the links are each recipient's own.
    for (const email of resend.accepted) {
      expect(email.html).toContain("<strong>tix1</strong> is down");
      expect(email.text).toContain("Webtix: Major Outage");
    }
    const links = resend.accepted.map((e) => e.headers["List-Unsubscribe"]);
    expect(new Set(links).size).toBe(350);

    // The next update is another notification, rendered once more.
    await postIncidentUpdate(deps, incident.id, { status: "identified", body: `${body}\n\nFixed soon.`, notify: true });
    notifier.wake();
    await notifier.idle();
    expect(resend.accepted).toHaveLength(700);
    expect(markdown.rendered.filter((text) => text.startsWith(body))).toHaveLength(2);
  });

  it("keeps several chunks in flight under a high rate limit, never more than the transport allows", async () => {
    const { deps, resend, notifier } = await fanOutOf(1000, 1000);
    await openIncident(deps, { name: "Webtix down", status: "investigating", components: {}, notify: true });
    resend.holdingAnswers = true;
    notifier.wake();
    await until(() => resend.inFlight === 6);
    // Given time to start more, the sender does not: its window is full until an answer comes.
    await new Promise((r) => setTimeout(r, 200));
    expect(resend.requests).toHaveLength(6);
    resend.releaseAnswers();
    await notifier.idle();

    expect(resend.peakInFlight).toBe(6);
    expect(resend.accepted).toHaveLength(1000);
    expect(new Set(resend.accepted.map((e) => e.to)).size).toBe(1000);
    // One request per chunk, each with the key it always had: the notification and the chunk's number.
    const [notification] = await deps.db.select().from(notifications);
    const keys = batchKeys(resend);
    expect(keys.sort()).toEqual(Array.from({ length: 10 }, (_, i) => `marquee/${notification!.id}/${i}`).sort());
  });

  it("sends one chunk at a time when the rate is too low for more", async () => {
    // 4 requests per second: a request starts every 255 ms and the answer takes longer, so a second chunk in
    // flight would show.
    const { deps, resend, notifier } = await fanOutOf(300, 4);
    resend.delayMs = 300;
    await openIncident(deps, { name: "Webtix down", status: "investigating", components: {}, notify: true });
    notifier.wake();
    await notifier.idle();
    expect(resend.accepted).toHaveLength(300);
    expect(resend.peakInFlight).toBe(1);
  });
});
