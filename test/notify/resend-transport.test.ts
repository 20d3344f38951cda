import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { fetchPost, type HttpPost } from "@/api/notify/http-post";
import { nodePost } from "@/api/notify/node-post";
import { createResendTransport } from "@/api/notify/resend-transport";
import type { OutgoingEmail } from "@/api/notify/transport";
import { type FakeResendOptions, startFakeResend } from "@/test/support/fake-resend";

const fakes: { close(): Promise<void> }[] = [];
// Each case runs over fetch (Workers) and over node:http (Node).
let post: HttpPost = fetchPost;
afterEach(async () => {
  await Promise.all(fakes.splice(0).map((fake) => fake.close()));
});

async function setup(fakeOptions: FakeResendOptions = {}, transportOptions: { rps?: number; timeoutMs?: number } = {}) {
  const fake = await startFakeResend({ apiKey: "re_test", ...fakeOptions });
  fakes.push(fake);
  // Every wait of the pacer, in ms: what it decided to wait, whatever the machine took to do it.
  const waits: number[] = [];
  // When each request left, as the transport started it (the fake sees them later, by however busy it is).
  const sentAt: number[] = [];
  const transport = createResendTransport({
    apiKey: "re_test",
    baseUrl: fake.url,
    requestsPerSecond: transportOptions.rps ?? 1000,
    fetchTimeoutMs: transportOptions.timeoutMs,
    post: (...args) => (sentAt.push(performance.now()), post(...args)),
    sleep: (ms) => (waits.push(ms), new Promise((resolve) => setTimeout(resolve, ms))),
  });
  const gaps = () => sentAt.slice(1).map((at, i) => at - sentAt[i]!);
  return { fake, transport, waits, gaps };
}

function emails(count: number, tag = "a"): OutgoingEmail[] {
  return Array.from({ length: count }, (_, i) => ({
    from: "Marquee <status@example.com>",
    to: `reader${i}@example.com`,
    subject: `tix1 is down (${tag})`,
    text: "We are investigating.",
    html: "<p>We are investigating.</p>",
    headers: {
      "List-Unsubscribe": `<https://status.example.com/unsubscribe/t${i}>`,
      "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    },
  }));
}

describe.each([
  ["fetch", fetchPost],
  ["node:http", nodePost],
])("the Resend transport over %s", (_, using) => {
  beforeAll(() => {
    post = using;
  });

  it("sends a chunk of 100 as one request with the idempotency key and returns 100 ids in order", async () => {
    const { fake, transport } = await setup();
    const result = await transport.sendChunk(emails(100), "marquee/n1/0");
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]).toMatchObject({ path: "/emails/batch", idempotencyKey: "marquee/n1/0", emails: 100 });
    expect(result).toEqual({ ok: true, ids: fake.accepted.map((e) => e.id) });
    expect(fake.accepted.map((e) => e.to)).toEqual(emails(100).map((e) => e.to));
    expect(fake.accepted[7]!.headers["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
    expect(transport.requestsPerSecond).toBe(1000);
  });

  it("sending the same chunk twice with the same key returns the same ids and delivers each email once", async () => {
    const { fake, transport } = await setup();
    const first = await transport.sendChunk(emails(100), "marquee/n1/0");
    const second = await transport.sendChunk(emails(100), "marquee/n1/0");
    expect(second).toEqual(first);
    expect(fake.requests).toHaveLength(2);
    expect(new Set(fake.accepted.map((e) => e.to)).size).toBe(100);
    expect(fake.accepted).toHaveLength(100);
  });

  it("the same key with a different chunk is refused for good", async () => {
    const { transport } = await setup();
    await transport.sendChunk(emails(2, "a"), "marquee/n1/0");
    const result = await transport.sendChunk(emails(2, "b"), "marquee/n1/0");
    expect(result).toMatchObject({
      ok: false,
      retryable: false,
      error: expect.stringContaining("invalid_idempotent_request"),
    });
  });

  it("a chunk still in flight with the same key is retryable, and its retry gets the first answer", async () => {
    const { fake, transport } = await setup({ delayMs: 200 });
    const both = await Promise.all([
      transport.sendChunk(emails(3), "marquee/n1/0"),
      transport.sendChunk(emails(3), "marquee/n1/0"),
    ]);
    const first = both.find((r) => r.ok);
    const concurrent = both.find((r) => !r.ok);
    expect(first).toBeDefined();
    expect(concurrent).toMatchObject({
      ok: false,
      retryable: true,
      error: expect.stringContaining("concurrent_idempotent_requests"),
    });
    expect(await transport.sendChunk(emails(3), "marquee/n1/0")).toEqual(first);
    expect(fake.accepted).toHaveLength(3);
  });

  it("a 500 is retryable and the retry succeeds", async () => {
    const { fake, transport } = await setup();
    fake.failNextWith(500);
    const first = await transport.sendChunk(emails(5), "k");
    expect(first).toMatchObject({ ok: false, retryable: true });
    const second = await transport.sendChunk(emails(5), "k");
    expect(second).toEqual({ ok: true, ids: fake.accepted.map((e) => e.id) });
  });

  it("a 502 HTML page from a proxy is retryable", async () => {
    const { fake, transport } = await setup();
    fake.failNextWith(502, "<html>Bad gateway</html>");
    expect(await transport.sendChunk(emails(1), "k")).toMatchObject({ ok: false, retryable: true });
  });

  it("a 200 that is not JSON may have been accepted: retryable with the same key, never failed for good", async () => {
    const { fake, transport } = await setup();
    fake.failNextWith(200, "<html>Welcome to the captive portal</html>");
    const first = await transport.sendChunk(emails(2), "k");
    expect(first).toMatchObject({ ok: false, retryable: true, error: expect.stringContaining("not JSON") });
    expect(await transport.sendChunk(emails(2), "k")).toEqual({ ok: true, ids: fake.accepted.map((e) => e.id) });
  });

  it("a 403 that is not JSON keeps its status and is not retried", async () => {
    const { fake, transport } = await setup();
    fake.failNextWith(403, "<html>Forbidden</html>");
    expect(await transport.sendChunk(emails(1), "k")).toMatchObject({
      ok: false,
      retryable: false,
      error: expect.stringContaining("Resend 403"),
    });
  });

  it("a 429 is retryable after retry-after, and the transport itself waits that long before its next request", async () => {
    const { fake, transport } = await setup();
    fake.failNextWith(429, undefined, { "retry-after": "1" });
    const result = await transport.sendChunk(emails(1), "k");
    expect(result).toMatchObject({
      ok: false,
      retryable: true,
      retryAfterMs: 1000,
      error: expect.stringContaining("rate_limit_exceeded"),
    });
    expect((await transport.sendChunk(emails(1), "k")).ok).toBe(true);
    expect(fake.requests[1]!.time - fake.requests[0]!.time).toBeGreaterThanOrEqual(950);
  });

  it("a daily quota error is retryable only after a long wait, without holding up the transport", async () => {
    const { fake, transport, waits } = await setup();
    fake.failNextWith(429, {
      statusCode: 429,
      name: "daily_quota_exceeded",
      message: "You have reached your daily email sending quota.",
    });
    const result = await transport.sendChunk(emails(1), "k");
    expect(result).toMatchObject({ ok: false, retryable: true, retryAfterMs: 24 * 60 * 60 * 1000 });
    // The outbox waits out the day; the transport itself holds no one up.
    expect((await transport.sendChunk(emails(1), "k2")).ok).toBe(true);
    expect(Math.max(0, ...waits)).toBeLessThan(10);
  });

  it("a 422 is not retryable and carries Resend's message", async () => {
    const { fake, transport } = await setup();
    const message = "Invalid `from` field. The email address needs to follow the `email@example.com` format.";
    fake.failNextWith(422, { statusCode: 422, name: "invalid_from_address", message });
    const result = await transport.sendChunk(emails(1), "k");
    expect(result).toMatchObject({ ok: false, retryable: false, error: expect.stringContaining(message) });
  });

  it("a wrong API key is not retryable", async () => {
    const fake = await startFakeResend({ apiKey: "re_right" });
    fakes.push(fake);
    const transport = createResendTransport({ apiKey: "re_wrong", baseUrl: fake.url, requestsPerSecond: 10 });
    expect(await transport.sendChunk(emails(1), "k")).toMatchObject({
      ok: false,
      retryable: false,
      error: expect.stringContaining("invalid_api_key"),
    });
  });

  it("a closed server is a retryable failure, not an exception", async () => {
    const { fake, transport } = await setup();
    await transport.sendChunk(emails(1), "warm");
    await fake.close();
    expect(await transport.sendChunk(emails(1), "k")).toMatchObject({ ok: false, retryable: true });
  });

  it("a timed-out chunk is retryable, and its retry with the same key is delivered once", async () => {
    const { fake, transport } = await setup({ delayMs: 300 }, { timeoutMs: 100 });
    expect(await transport.sendChunk(emails(4), "k")).toMatchObject({ ok: false, retryable: true });
    fake.delayMs = 0;
    await new Promise((resolve) => setTimeout(resolve, 300)); // the first request finishes at the fake
    const retry = await transport.sendChunk(emails(4), "k");
    expect(retry).toEqual({ ok: true, ids: fake.accepted.map((e) => e.id) });
    expect(fake.accepted).toHaveLength(4);
  });

  it("refuses a chunk of more than 100 emails without a request", async () => {
    const { fake, transport } = await setup();
    await expect(transport.sendChunk(emails(101), "k")).rejects.toThrow(/at most 100/);
    expect(fake.requests).toHaveLength(0);
  });

  // The gaps are measured where the transport starts each request. The fake counts arrivals, which this machine's
  // scheduling can bunch by a hundred milliseconds and more when it is busy: its window is narrowed to absorb that.
  it("paces concurrent callers to requestsPerSecond, so a fake enforcing that rate refuses none", async () => {
    const { fake, transport, gaps } = await setup({ requestsPerSecond: 5, windowMs: 800 }, { rps: 5 });
    const started = Date.now();
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) => transport.sendChunk(emails(100, `${i}`), `c${i}`)),
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(1800);
    expect(Math.min(...gaps())).toBeGreaterThanOrEqual(200);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(fake.requests.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(fake.accepted).toHaveLength(1000);
  });

  it("slows to Resend's announced limit and waits for its reset when that limit is below ours", async () => {
    const { fake, transport } = await setup({ requestsPerSecond: 1 }, { rps: 50 });
    await transport.sendChunk(emails(1), "a");
    await transport.sendChunk(emails(1), "b");
    expect(fake.requests.map((r) => r.status)).toEqual([200, 200]);
    expect(fake.requests[1]!.time - fake.requests[0]!.time).toBeGreaterThanOrEqual(1000);
    await transport.sendChunk(emails(1), "c");
    expect(fake.requests.map((r) => r.status)).toEqual([200, 200, 200]);
  });

  it("at exactly Resend's limit, keeps the full rate instead of pausing at every window's end", async () => {
    const { fake, transport, waits, gaps } = await setup({ requestsPerSecond: 5, windowMs: 800 }, { rps: 5 });
    for (let i = 0; i < 10; i++) await transport.sendChunk(emails(1, `${i}`), `k${i}`);
    expect(Math.min(...gaps())).toBeGreaterThanOrEqual(200);
    expect(fake.requests.every((r) => r.status === 200)).toBe(true);
    // Ten requests at 5/s: waits of about 204 ms each; pausing for the window's reset would wait up to a second.
    expect(waits.length).toBeGreaterThan(0);
    expect(Math.max(...waits)).toBeLessThanOrEqual(205);
  });
});
