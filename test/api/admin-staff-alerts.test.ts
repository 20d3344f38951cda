import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { auditLog, staffAlertDeliveries, staffDestinations } from "@/db/schema";
import { makeApp, publicDns } from "@/test/support/app";
import { signedIn } from "@/test/support/console-browser";
import { expectStatus, type TestApp } from "@/test/support/factories";

let t: TestApp;
beforeEach(async () => {
  t = await makeApp({ resolve: publicDns });
});
afterEach(async () => {
  await t.cleanup();
});

type Destination = { id: string; kind: string; target: string; secret?: string };
const destinations = async () => expectStatus<Destination[]>(await t.call("GET", "/api/v1/staff-destinations"), 200);

describe("staff alerts in the console", () => {
  it("adds an email destination, sends it a test alert and lists the alert with its delivery", async () => {
    const { b, csrf } = await signedIn(t, "admin");
    expect(await (await b.request("GET", "/admin")).text()).toMatch(/<nav[^>]*>[\s\S]*href="\/admin\/staff-alerts"/);
    const res = await b.request("POST", "/admin/staff-alerts/destinations", {
      csrf,
      kind: "email",
      target: "oncall@example.com",
      name: "On call",
    });
    expect(res.headers.get("location")).toBe("/admin/staff-alerts?flash=destination-added");
    const [d] = await destinations();
    expect(d).toMatchObject({ kind: "email", target: "oncall@example.com" });

    const test = await b.request("POST", `/admin/staff-alerts/destinations/${d!.id}/test`, { csrf });
    expect(test.headers.get("location")).toBe("/admin/staff-alerts?flash=test-alert");
    await t.deps.db
      .update(staffAlertDeliveries)
      .set({ status: "failed", attempts: 3, lastError: "550 mailbox <unavailable>" })
      .where(eq(staffAlertDeliveries.destinationId, d!.id));
    const html = await (await b.request("GET", "/admin/staff-alerts")).text();
    const alert = html.slice(html.indexOf("data-alert-id=")).split("</section>")[0]!.replace(/\s+/g, " ");
    expect(alert).toContain("Test alert");
    expect(alert).toContain("On call: failed after 3 attempts (last error: 550 mailbox &lt;unavailable&gt;)");

    const removed = await b.request("POST", `/admin/staff-alerts/destinations/${d!.id}/remove`, { csrf });
    expect(removed.headers.get("location")).toBe("/admin/staff-alerts?flash=destination-removed");
    expect(await destinations()).toEqual([]);
  });

  it("shows a webhook's signing secret once, on the answer that added it, and never its URL's path", async () => {
    const { b, csrf } = await signedIn(t, "admin");
    const target = "https://hooks.example.com/services/T000/B000/tok3n";
    const res = await b.request("POST", "/admin/staff-alerts/destinations", { csrf, kind: "webhook", target });
    expect(res.status).toBe(201);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const html = await res.text();
    const secret = /id="webhook-secret" class="secret" type="text" readonly value="([^"]+)"/.exec(html)![1]!;
    const [row] = await t.deps.db.select().from(staffDestinations);
    expect(secret).toBe(row!.secret);
    const later = await (await b.request("GET", "/admin/staff-alerts")).text();
    expect(later).toContain("hooks.example.com (webhook)");
    expect(later).not.toContain(secret);
    expect(later).not.toContain("tok3n");
    expect(JSON.stringify(await t.deps.db.select().from(auditLog))).not.toContain(secret);
  });

  it("refuses a bad address, a private webhook, no csrf token and a write-key session, and adds nothing", async () => {
    const { b, csrf } = await signedIn(t, "admin");
    const attempts: [Record<string, string>, number, string][] = [
      [{ csrf, kind: "email", target: "not an address" }, 422, "target"],
      [{ csrf, kind: "webhook", target: "http://127.0.0.1:8080/hook" }, 422, "target"],
      [{ csrf, kind: "pager", target: "oncall@example.com" }, 422, "kind"],
    ];
    for (const [form, status, message] of attempts) {
      const res = await b.request("POST", "/admin/staff-alerts/destinations", form);
      expect(res.status).toBe(status);
      const html = await res.text();
      expect(html).toContain(message);
      expect(html).toContain(`value="${form.target}"`);
    }
    const form = { kind: "email", target: "oncall@example.com" };
    expect((await b.request("POST", "/admin/staff-alerts/destinations", form)).status).toBe(403);
    const writer = await signedIn(t, "write");
    expect(await (await writer.b.request("GET", "/admin")).text()).not.toContain('href="/admin/staff-alerts"');
    expect((await writer.b.request("GET", "/admin/staff-alerts")).status).toBe(403);
    const writerRes = await writer.b.request("POST", "/admin/staff-alerts/destinations", {
      ...form,
      csrf: writer.csrf,
    });
    expect(writerRes.status).toBe(403);
    expect(await destinations()).toEqual([]);
  });
});
