import { afterEach, describe, expect, it } from "vitest";
import { auditLog, idempotencyKeys, staffAlertDeliveries, staffAlerts, staffDestinations } from "@/db/schema";
import { syncStaffEmails } from "@/api/services/staff-destinations";
import { makeApp, publicDns } from "@/test/support/app";
import { expectError, expectStatus, type TestApp } from "@/test/support/factories";
import { recipients, waitForOutbox } from "@/test/support/outbox";
import { waitUntil } from "@/test/support/wait";
import { signatureValid, startWebhookReceiver } from "@/test/support/webhook-receiver";

type Destination = {
  id: string;
  kind: string;
  target: string;
  name: string | null;
  source: string;
  created_at: string;
  disabled_at: string | null;
  disabled_reason: string | null;
  secret?: string;
};
type Alert = {
  id: string;
  key: string;
  kind: string;
  subject: string;
  deliveries: { id: string; destination: { id: string; kind: string }; status: string; last_error: string | null }[];
};

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(options: Parameters<typeof makeApp>[0] = { resolve: publicDns }) {
  const t = await makeApp(options);
  cleanups.push(t.cleanup);
  return t;
}

/** Every row a staff destination request could touch: a refused one must leave them all as they were. */
const staffRows = async (t: TestApp) =>
  JSON.stringify(
    await Promise.all(
      [staffDestinations, staffAlerts, staffAlertDeliveries, auditLog].map((x) => t.deps.db.select().from(x)),
    ),
  );

/** Asserts the error envelope and that nothing changed. */
async function expectRefused(t: TestApp, send: () => Response | Promise<Response>, status: number, code: string) {
  const before = await staffRows(t);
  const error = await expectError(await send(), status, code);
  expect(await staffRows(t)).toBe(before);
  return error;
}

const create = (t: TestApp, body: unknown, headers?: Record<string, string>) =>
  t.call("POST", "/api/v1/staff-destinations", body, { headers });
const list = async (t: TestApp) => expectStatus<Destination[]>(await t.call("GET", "/api/v1/staff-destinations"), 200);

describe("staff destinations", () => {
  it("an admin adds an address, validated and lower-cased as subscribers' are, and sees it listed", async () => {
    const t = await setup();
    const made = await expectStatus<Destination>(
      await create(t, { kind: "email", target: "  Ops@Example.COM ", name: "Ops" }),
      201,
    );
    expect(made).toMatchObject({ kind: "email", target: "ops@example.com", name: "Ops", source: "api" });
    expect(made).not.toHaveProperty("secret");
    expect(await list(t)).toEqual([made]);
    // The audit log names the fields, never the address.
    const audit = await t.deps.db.select().from(auditLog);
    const row = audit.find((r) => r.resourceType === "staff_destination")!;
    expect(row).toMatchObject({ action: "create", resourceId: made.id, fields: ["kind", "target", "name"] });
    expect(JSON.stringify(audit)).not.toContain("ops@example.com");
  });

  it("a webhook's signing secret is shown once, at creation, and never kept for an idempotent replay", async () => {
    const t = await setup();
    const headers = { "idempotency-key": "staff-hook-1" };
    const body = { kind: "webhook", target: "https://hooks.example.com/staff" };
    const made = await expectStatus<Destination>(await create(t, body, headers), 201);
    expect(made.secret!.length).toBeGreaterThanOrEqual(32);
    expect(JSON.stringify(await list(t))).not.toContain(made.secret);

    const replay = await create(t, body, headers);
    expect(await replay.clone().text()).not.toContain(made.secret);
    expect(await expectError(replay, 409, "secret_not_replayable")).toMatchObject({ details: { id: made.id } });
    expect(JSON.stringify(await t.deps.db.select().from(idempotencyKeys))).not.toContain(made.secret);
    expect(await list(t)).toHaveLength(1);
  });

  it("a webhook to a private or loopback address is refused at registration without ALLOW_PRIVATE_WEBHOOKS", async () => {
    const t = await setup();
    for (const target of [
      "http://127.0.0.1:8080/hook",
      "http://localhost/hook",
      "http://169.254.169.254/latest/meta-data/",
      "http://[::1]/hook",
      "http://10.0.0.5/hook",
    ]) {
      const error = await expectRefused(t, () => create(t, { kind: "webhook", target }), 422, "validation_failed");
      expect(error.message).toMatch(/^target: /);
    }
    expect(await t.deps.db.select().from(staffDestinations)).toEqual([]);
  });

  it("with ALLOW_PRIVATE_WEBHOOKS a local webhook is taken, and its test alert arrives signed", async () => {
    const t = await setup({ allowPrivateWebhooks: true });
    const hook = await startWebhookReceiver();
    cleanups.push(hook.close);
    const made = await expectStatus<Destination>(await create(t, { kind: "webhook", target: hook.url }), 201);
    const queued = await expectStatus<Alert>(await t.call("POST", `/api/v1/staff-destinations/${made.id}/test`), 202);
    expect(queued).toMatchObject({ kind: "test", deliveries: [{ destination: { id: made.id }, status: "pending" }] });
    await waitUntil(() => hook.received.length === 1, "the test alert arrives");
    expect(hook.received[0]!.json).toMatchObject({ type: "staff_alert", kind: "test" });
    expect(signatureValid(made.secret!, hook.received[0]!)).toBe(true);
  });

  it("refuses what is not a destination, and changes nothing", async () => {
    const t = await setup();
    const bad = [
      { kind: "pager", target: "https://pager.example.com/x" },
      { kind: "slack", target: "javascript:alert(1)" },
      { kind: "discord", target: "http://127.0.0.1:9/api/webhooks/1/x" },
      { kind: "email", target: "not an address" },
      { kind: "email", target: "ops@example.com\r\nBcc: everyone@example.com" },
      { kind: "webhook", target: "ftp://hooks.example.com/x" },
      { kind: "webhook", target: "https://hooks.example.com/x", secret: "mine" },
      { target: "ops@example.com" },
    ];
    for (const body of bad) await expectRefused(t, () => create(t, body), 422, "validation_failed");
    await expectRefused(t, () => create(t, "[]"), 400, "invalid_json");
    const error = await expectRefused(t, () => create(t, { kind: "email", target: "x" }), 422, "validation_failed");
    expect(error.message).toBe("target: must be a valid email address");
    expect(await t.deps.db.select().from(staffDestinations)).toEqual([]);
  });

  it("the same address twice is a conflict that names the first", async () => {
    const t = await setup();
    const made = await expectStatus<Destination>(await create(t, { kind: "email", target: "ops@example.com" }), 201);
    const error = await expectRefused(
      t,
      () => create(t, { kind: "email", target: "OPS@example.com" }),
      409,
      "conflict",
    );
    expect(error).toMatchObject({ details: { id: made.id } });
  });

  it("only admin keys see or change them", async () => {
    const t = await setup();
    for (const scope of ["read", "write"] as const) {
      await expectError(await t.call("GET", "/api/v1/staff-destinations", undefined, { scope }), 403, "forbidden");
      await expectError(await t.call("GET", "/api/v1/staff-alerts", undefined, { scope }), 403, "forbidden");
      await expectRefused(
        t,
        () => t.call("POST", "/api/v1/staff-destinations", { kind: "email", target: "x@example.com" }, { scope }),
        403,
        "forbidden",
      );
    }
    await expectError(await t.call("GET", "/api/v1/staff-alerts", undefined, { scope: null }), 401, "unauthorized");
    expect(await t.deps.db.select().from(staffDestinations)).toEqual([]);
  });

  it("deleting removes an API destination; a STAFF_EMAILS one is refused, an unknown id is 404", async () => {
    const t = await setup();
    await syncStaffEmails(t.deps, ["config@example.com"]);
    const made = await expectStatus<Destination>(await create(t, { kind: "email", target: "api@example.com" }), 201);
    const fromConfig = (await list(t)).find((d) => d.source === "config")!;
    expect(fromConfig).toMatchObject({ target: "config@example.com", name: "STAFF_EMAILS" });
    await expectStatus(await t.call("DELETE", `/api/v1/staff-destinations/${made.id}`), 204);
    const refused = await expectRefused(
      t,
      () => t.call("DELETE", `/api/v1/staff-destinations/${fromConfig.id}`),
      409,
      "conflict",
    );
    expect(refused.message).toContain("STAFF_EMAILS");
    await expectError(await t.call("DELETE", "/api/v1/staff-destinations/nosuchid"), 404, "not_found");
    expect((await list(t)).map((d) => d.target)).toEqual(["config@example.com"]);
  });
});

describe("test alerts and the alert list", () => {
  it("a test alert goes to that destination only, and GET /staff-alerts shows how it went", async () => {
    const t = await setup();
    const ops = await expectStatus<Destination>(await create(t, { kind: "email", target: "ops@example.com" }), 201);
    await expectStatus<Destination>(await create(t, { kind: "email", target: "oncall@example.com" }), 201);
    await expectStatus(await t.call("POST", `/api/v1/staff-destinations/${ops.id}/test`), 202);
    const [mail] = await waitForOutbox(t.outbox, 1);
    expect(recipients(mail!)).toEqual(["ops@example.com"]);
    expect(mail!.subject).toContain("Test alert");
    await t.notifier.idle();
    const alerts = await expectStatus<Alert[]>(await t.call("GET", "/api/v1/staff-alerts"), 200);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.deliveries).toEqual([
      expect.objectContaining({ destination: { id: ops.id, kind: "email", name: null }, status: "sent" }),
    ]);
    await expectRefused(t, () => t.call("POST", "/api/v1/staff-destinations/nosuchid/test"), 404, "not_found");
    await expectError(await t.call("GET", "/api/v1/staff-alerts?limit=0"), 422, "validation_failed");
  });

  it("the OpenAPI document describes the staff alert operations", async () => {
    const t = await setup();
    const doc = await expectStatus<{ paths: Record<string, Record<string, unknown>> }>(
      await t.app.request("/api/v1/openapi.json"),
      200,
    );
    expect(Object.keys(doc.paths["/staff-destinations"]!).sort()).toEqual(["get", "post"]);
    expect(doc.paths["/staff-destinations/{id}"]).toHaveProperty("delete");
    expect(doc.paths["/staff-destinations/{id}/test"]).toHaveProperty("post");
    expect(doc.paths["/staff-alerts"]).toHaveProperty("get");
  });
});
