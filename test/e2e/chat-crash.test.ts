import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { startFakePlatforms } from "@/test/chat/fake-platforms";
import { waitUntil } from "@/test/support/wait";
import { exited, killed, removeDataDir, startServer } from "@/test/support/server";

const adminKey = "chat-crash-admin-key-0123-vq7w2kx9";
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/**
 * The server is killed with SIGKILL while chat posts are in flight (the fake platform has taken them and holds its
 * answers, so Marquee never learns the outcome), then started again. Returns how many posts each channel got.
 */
export async function crashDuringChatDelivery(channels: number, killAfter: number) {
  const fake = await startFakePlatforms();
  cleanups.push(() => fake.close());
  const dataDir = mkdtempSync(join(tmpdir(), "marquee-chat-crash-"));
  cleanups.push(() => removeDataDir(dataDir));
  const env = { DATA_DIR: dataDir, ADMIN_API_KEY: adminKey, ALLOW_PRIVATE_WEBHOOKS: "true" };
  const api = (base: string, method: string, path: string, body?: unknown) =>
    fetch(`${base}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  let server = await startServer(env);
  cleanups.push(async () => {
    await killed(server.child);
  });
  const platforms = ["slack", "discord", "teams", "google_chat"] as const;
  for (let i = 0; i < channels; i++) {
    const type = platforms[i % 4]!;
    const res = await api(server.base, "POST", "/channels", {
      type,
      url: fake.url(type, `c${i}`),
      purpose: "broadcast",
    });
    expect(res.status).toBe(201);
  }
  expect((await api(server.base, "POST", "/incidents", { name: "Webtix down on tix4" })).status).toBe(201);
  await waitUntil(() => fake.posts.length >= killAfter, `${killAfter} posts taken`, { everyMs: 2 });
  fake.state.hold.add("*");
  await waitUntil(() => fake.state.inFlight > 0, "a post in flight", { everyMs: 2 });
  server.child.kill("SIGKILL");
  await exited(server.child);
  fake.release();
  // What the killed process had marked `posting`: sent or not, it never recorded the outcome.
  const atKill = new Database(join(dataDir, "marquee.db"), { readonly: true });
  const postingAtKill = (
    atKill.prepare("select count(*) as n from chat_posts where status = 'posting'").get() as { n: number }
  ).n;
  atKill.close();

  server = await startServer(env);
  // Read beside the server (WAL): done when every post is recorded sent.
  const db = new Database(join(dataDir, "marquee.db"), { readonly: true });
  cleanups.push(() => db.close());
  const open = db.prepare("select count(*) as n from chat_posts where status <> 'sent'");
  await waitUntil(() => (open.get() as { n: number }).n === 0, "every post recorded sent");
  const perChannel = new Map<string, number>();
  for (const p of fake.posts) perChannel.set(p.hook, (perChannel.get(p.hook) ?? 0) + 1);
  return { perChannel, postingAtKill };
}

describe("a crash in the middle of a chat delivery", () => {
  it("loses no post; only the posts in flight at the kill may go twice", async () => {
    const channels = 120;
    const { perChannel, postingAtKill } = await crashDuringChatDelivery(channels, 40);
    expect(perChannel.size).toBe(channels);
    const twice = [...perChannel.values()].filter((n) => n === 2).length;
    expect([...perChannel.values()].every((n) => n === 1 || n === 2)).toBe(true);
    // Only posts the dead process had marked `posting` go again (by design, docs/chat.md): at most 16 in flight.
    expect(postingAtKill).toBeGreaterThan(0);
    expect(twice).toBeLessThanOrEqual(postingAtKill);
    expect(postingAtKill).toBeLessThanOrEqual(16);
  }, 180_000);
});
