import { afterEach, describe, expect, it } from "vitest";
import { join } from "node:path";
import { loadRenderer } from "@/api/node-runtime";
import { createNotifier } from "@/api/notify/notifier";
import { createResendTransport } from "@/api/notify/resend-transport";
import { type MailTransport, wholeBody } from "@/api/notify/transport";
import { FileStore } from "@/api/publish/file-store";
import { createPublisher } from "@/api/publish/publisher";
import { createPublishQueue } from "@/api/publish/publish-queue";
import { commit } from "@/api/services/effects";
import { openIncident, postIncidentUpdate } from "@/api/services/incidents";
import { importSubscribers } from "@/api/services/subscribers";
import { zlibCompressor } from "@/api/publish/zlib-compressor";
import { makeDeps } from "@/test/support/deps";
import { startFakeResend } from "@/test/support/fake-resend";
import { waitUntil } from "@/test/support/wait";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const turns = async (n: number) => {
  for (let i = 0; i < n; i++) await new Promise((r) => setImmediate(r));
};

/**
 * The server's publisher and notifier over one database, with a gate before incident pages are rendered, and a
 * transport that notes, for every chunk it is asked to send, whether the incident's published page shows the text
 * the chunk's emails carry.
 */
async function setup() {
  const env = await makeDeps();
  const resend = await startFakeResend();
  const store = new FileStore(join(env.dir, "site"));
  const real = await loadRenderer();
  const gate = { open: true, waiting: false, release: () => {} };
  const publisher = createPublisher({
    ...env.deps,
    store,
    compress: zlibCompressor,
    renderer: {
      async render(path, locals) {
        if (path.startsWith("/incidents/") && !gate.open) {
          gate.waiting = true;
          await new Promise<void>((resolve) => (gate.release = resolve));
          gate.waiting = false;
        }
        return real.render(path, locals);
      },
    },
  });
  const resendTransport = createResendTransport({ apiKey: "re_test", baseUrl: resend.url, requestsPerSecond: 1000 });
  const sent: { marker: string; pageShowedIt: boolean }[] = [];
  let incidentId = "";
  const transport: MailTransport = {
    ...resendTransport,
    sendChunk(emails, key) {
      const marker = /marker-\d+/.exec(wholeBody(emails[0]!.html))![0];
      const page = store.get(`/incidents/${incidentId}`);
      sent.push({ marker, pageShowedIt: page !== undefined && new TextDecoder().decode(page.body).includes(marker) });
      return resendTransport.sendChunk(emails, key);
    },
  };
  const notifier = createNotifier({ ...env.deps, transport, pagesPublished: publisher.settled });
  cleanups.push(async () => {
    gate.open = true;
    gate.release();
    await publisher.idle();
    await notifier.stop();
    await resend.close();
    env.cleanup();
  });
  const rows = Array.from({ length: 250 }, (_, i) => ({ email: `s${i}@example.com` }));
  await importSubscribers(env.deps, rows, true, new Set());
  const target = { publisher, notifier };
  return {
    ...env,
    resend,
    gate,
    sent,
    target,
    setIncident: (id: string) => (incidentId = id),
  };
}

describe("emails and the pages they link to", () => {
  it("sends no email of an update before the incident's page shows that update", async () => {
    const s = await setup();
    s.gate.open = false;
    const incident = await commit(
      s.target,
      openIncident(s.deps, {
        name: "Webtix down",
        status: "investigating",
        body: "marker-1",
        components: {},
        notify: true,
      }),
    );
    s.setIncident(incident.id);
    await waitUntil(() => s.gate.waiting, "the incident page's publish has started");
    // Many turns of the event loop with the page held back: a sender that did not wait would have sent by now.
    await turns(200);
    expect(s.sent).toEqual([]);
    s.gate.open = true;
    s.gate.release();
    await waitUntil(() => s.resend.accepted.length === 250, "every subscriber has the first email");

    s.gate.open = false;
    await commit(
      s.target,
      postIncidentUpdate(s.deps, incident.id, { status: "identified", body: "marker-2", notify: true }),
    );
    await waitUntil(() => s.gate.waiting, "the update's publish has started");
    await turns(200);
    expect(s.sent.filter((c) => c.marker === "marker-2")).toEqual([]);
    s.gate.open = true;
    s.gate.release();
    await waitUntil(() => s.resend.accepted.length === 500, "every subscriber has the second email");

    expect(s.sent).toHaveLength(6);
    expect(s.sent.every((c) => c.pageShowedIt)).toBe(true);
  });
});

describe("publish queue: settled", () => {
  it("resolves after the publish that covers the touches made so far, not after later ones", async () => {
    const runs: { release: () => void }[] = [];
    const queue = createPublishQueue({
      clock: Date.now,
      log: () => {},
      publish: () => new Promise<void>((resolve) => runs.push({ release: resolve })),
    });
    queue.touch({ incidents: ["a"] });
    let first = false;
    void queue.settled().then(() => (first = true));
    await waitUntil(() => runs.length === 1, "the first publish has started");
    queue.touch({ incidents: ["b"] });
    let second = false;
    void queue.settled().then(() => (second = true));
    runs[0]!.release();
    await waitUntil(() => first, "the first change is published");
    expect(second).toBe(false);
    await waitUntil(() => runs.length === 2, "the second publish has started");
    runs[1]!.release();
    await waitUntil(() => second, "the second change is published");
    await queue.settled();
  });

  it("does not hold what waits on it while the publisher keeps failing", async () => {
    let attempts = 0;
    const queue = createPublishQueue({
      clock: Date.now,
      log: () => {},
      maxAttempts: 2,
      publish: async () => {
        attempts++;
        throw new Error("disk full");
      },
    });
    queue.touch({ incidents: ["a"] });
    await queue.settled();
    expect(attempts).toBe(1);
    expect(queue.state.lastError).toBe("disk full");
  });
});
