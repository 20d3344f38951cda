import { createHmac } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { subscribers } from "@/db/schema";
import { makeApp, testWebhookSecret } from "@/test/support/app";

type Env = Awaited<ReturnType<typeof makeApp>>;
const envs: Env[] = [];
afterEach(async () => {
  for (const env of envs.splice(0)) await env.cleanup();
});

/** Signs a body the way Resend (Svix) does. */
function sign(body: string, id: string, timestamp: number, secret = testWebhookSecret) {
  const key = Buffer.from(secret.replace(/^whsec_/, ""), "base64");
  const signature = createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest("base64");
  return { "svix-id": id, "svix-timestamp": String(timestamp), "svix-signature": `v1,${signature}` };
}

async function setup() {
  const env = await makeApp();
  envs.push(env);
  await env.call("POST", "/api/v1/subscribers/import", {
    subscribers: [{ email: "bounce@example.com" }, { email: "fine@example.com" }],
    skip_confirmation: true,
  });
  const status = async (email: string) =>
    (await env.deps.db.select().from(subscribers).where(eq(subscribers.email, email)))[0]!.status;
  const post = (body: string, headers: Record<string, string>) =>
    env.app.request("/webhooks/resend", {
      method: "POST",
      headers: { ...headers, "content-type": "application/json" },
      body,
    });
  const now = Math.floor(env.clock() / 1000);
  return { ...env, status, post, now };
}

const bounced = JSON.stringify({
  type: "email.bounced",
  created_at: "2026-11-25T12:00:00.000Z",
  data: {
    email_id: "e1",
    to: ["Bounce@example.com"],
    subject: "x",
    bounce: { type: "Permanent", subType: "General", message: "no" },
  },
});

describe("Resend's delivery webhooks", () => {
  it("a signed hard bounce stops all mail to that address, and only that one", async () => {
    const s = await setup();
    const res = await s.post(bounced, sign(bounced, "msg_1", s.now));
    expect(res.status).toBe(200);
    expect(await s.status("bounce@example.com")).toBe("suppressed");
    expect(await s.status("fine@example.com")).toBe("active");
  });

  it("a complaint suppresses too; a soft bounce does not", async () => {
    const s = await setup();
    const soft = JSON.stringify({
      type: "email.bounced",
      data: { to: ["bounce@example.com"], bounce: { type: "Transient" } },
    });
    await s.post(soft, sign(soft, "msg_2", s.now));
    expect(await s.status("bounce@example.com")).toBe("active");
    const complaint = JSON.stringify({ type: "email.complained", data: { to: ["bounce@example.com"] } });
    await s.post(complaint, sign(complaint, "msg_3", s.now));
    expect(await s.status("bounce@example.com")).toBe("suppressed");
  });

  it("refuses a bad signature, a stale timestamp or missing headers with 401, changing nothing", async () => {
    const s = await setup();
    const cases = [
      sign(bounced, "msg_4", s.now, `whsec_${Buffer.from("another-secret-entirely-32bytes!").toString("base64")}`),
      sign(bounced, "msg_5", s.now - 600),
      { "svix-id": "msg_6" },
      { ...sign(bounced, "msg_7", s.now), "svix-signature": "v1,AAAA" },
    ];
    for (const headers of cases) {
      const res = await s.post(bounced, headers);
      expect(res.status).toBe(401);
      expect((await res.json()).error.code).toBe("unauthorized");
    }
    const tampered = bounced.replace("Permanent", "Permanent ");
    expect((await s.post(tampered, sign(bounced, "msg_8", s.now))).status).toBe(401);
    expect(await s.status("bounce@example.com")).toBe("active");
  });

  it("accepts a signed 100 KB event: the public forms' smaller limit does not apply here", async () => {
    const s = await setup();
    const large = JSON.stringify({
      type: "email.bounced",
      created_at: "2026-11-25T12:00:00.000Z",
      data: { email_id: "e2", to: ["bounce@example.com"], bounce: { type: "Permanent" }, pad: "x".repeat(100 * 1024) },
    });
    const res = await s.post(large, sign(large, "msg_large", s.now));
    expect(res.status).toBe(200);
    expect(await s.status("bounce@example.com")).toBe("suppressed");
  });

  it("refuses a body over 256 KB with 413", async () => {
    const s = await setup();
    const huge = JSON.stringify({
      type: "email.bounced",
      data: { to: ["bounce@example.com"], pad: "x".repeat(300 * 1024) },
    });
    expect((await s.post(huge, sign(huge, "msg_big", s.now))).status).toBe(413);
    expect(await s.status("bounce@example.com")).toBe("active");
  });

  it("handles a redelivered event once", async () => {
    const s = await setup();
    const headers = sign(bounced, "msg_9", s.now);
    expect(await (await s.post(bounced, headers)).json()).toEqual({ suppressed: 1 });
    expect(await (await s.post(bounced, headers)).json()).toEqual({ suppressed: 0 });
  });
});
