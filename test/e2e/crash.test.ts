import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startFakeResend } from "@/test/support/fake-resend";
import { waitUntil } from "@/test/support/wait";
import { exited, killed, removeDataDir, startServer } from "@/test/support/server";

const adminKey = "crash-test-admin-key-0123-vq7w2kx9";
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/**
 * Exactly once across a crash: the server is killed with SIGKILL in the middle of a fan-out, started again, and
 * every subscriber ends with exactly one accepted email for the update. `npm run bench` runs the same with 10,000.
 */
export async function crashDuringFanOut(recipients: number) {
  const fake = await startFakeResend({ delayMs: 150 });
  cleanups.push(() => fake.close());
  const dataDir = mkdtempSync(join(tmpdir(), "marquee-crash-"));
  cleanups.push(() => removeDataDir(dataDir));
  const env = {
    DATA_DIR: dataDir,
    ADMIN_API_KEY: adminKey,
    RESEND_API_KEY: "re_test",
    RESEND_BASE_URL: fake.url,
    RESEND_RATE_LIMIT: "20",
  };
  const api = (base: string, method: string, path: string, body?: unknown) =>
    fetch(`${base}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  let server = await startServer(env);
  cleanups.push(() => killed(server.child));
  const rows = Array.from({ length: recipients }, (_, i) => ({ email: `customer${i}@example.com` }));
  expect(
    (await api(server.base, "POST", "/subscribers/import", { subscribers: rows, skip_confirmation: true })).status,
  ).toBe(200);
  expect((await api(server.base, "POST", "/incidents", { name: "Webtix down on tix1" })).status).toBe(201);

  // Kill while a chunk is in flight: the fake has taken it but holds its answer, so Marquee never learns the outcome.
  const mine = () => fake.accepted.filter((e) => e.subject.includes("Webtix down on tix1"));
  await waitUntil(() => mine().length >= 200, "200 emails accepted", { everyMs: 2 });
  fake.holdingAnswers = true;
  await waitUntil(() => fake.inFlight > 0, "a chunk in flight", { everyMs: 2 });
  server.child.kill("SIGKILL");
  await exited(server.child);
  fake.releaseAnswers();
  const beforeRestart = mine().length;

  // After the restart the outbox drains; what was in flight goes again, with the same idempotency key.
  server = await startServer(env);
  await waitUntil(async () => {
    const res = await api(server.base, "GET", "/notifications");
    const [progress] = (await res.json()) as { sent: number; pending: number }[];
    return progress?.pending === 0 && progress.sent === recipients;
  }, "every recipient marked sent");
  const perRecipient = new Map<string, number>();
  for (const e of mine()) perRecipient.set(e.to, (perRecipient.get(e.to) ?? 0) + 1);
  return { perRecipient, beforeRestart, requests: fake.requests };
}

describe("a crash in the middle of a fan-out", () => {
  it("ends with exactly one email per subscriber, none missing and none twice", async () => {
    const recipients = 500;
    const { perRecipient, beforeRestart, requests } = await crashDuringFanOut(recipients);
    expect(beforeRestart).toBeGreaterThanOrEqual(200);
    // The chunk in flight at the kill went out again after the restart, with the same key, and was not re-delivered.
    const keys = requests.filter((r) => r.path === "/emails/batch").map((r) => r.idempotencyKey);
    expect(keys.length).toBeGreaterThan(new Set(keys).size);
    // Chunks of 100: five for 500 recipients, and one more for the replay.
    expect(new Set(keys).size).toBe(recipients / 100);
    expect(perRecipient.size).toBe(recipients);
    expect([...perRecipient.values()].every((n) => n === 1)).toBe(true);
  }, 120_000);
});
