import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { startFakeResend } from "@/test/support/fake-resend";
import { startServer } from "@/test/support/server";
import { waitUntil } from "@/test/support/wait";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

it("the Node server makes STAFF_EMAILS destinations and emails them a failed backup through Resend, once", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "marquee-staff-e2e-"));
  const resend = await startFakeResend();
  cleanups.push(
    () => rmSync(dataDir, { recursive: true, force: true }),
    () => resend.close(),
  );
  const adminKey = "mq_" + "5e8c1a9f3b7d2e6a4c0f8b1d9e3a7c5f";
  const server = await startServer({
    DATA_DIR: dataDir,
    ADMIN_API_KEY: adminKey,
    RESEND_API_KEY: "re_test",
    RESEND_BASE_URL: resend.url,
    STAFF_EMAILS: "ops@example.com",
    // The backup taken at start fails its copy off the machine.
    BACKUP_COPY_COMMAND: "echo 'bucket is gone' >&2; exit 3",
  });
  cleanups.push(server.stop);
  const api = async (path: string) =>
    (await fetch(`${server.base}/api/v1${path}`, { headers: { authorization: `Bearer ${adminKey}` } })).json();

  expect(await api("/staff-destinations")).toEqual([
    expect.objectContaining({ kind: "email", target: "ops@example.com", source: "config" }),
  ]);
  const [mail] = await waitUntil(() => (resend.accepted.length > 0 ? resend.accepted : null), "the staff email");
  expect(mail).toMatchObject({ to: "ops@example.com", subject: expect.stringContaining("Backup failed") });
  expect(mail!.text).toContain("bucket is gone");
  const alerts = await waitUntil(async () => {
    const list = (await api("/staff-alerts")) as { kind: string; deliveries: { status: string }[] }[];
    return list[0]?.deliveries[0]?.status === "sent" ? list : null;
  }, "the delivery marked sent");
  expect(alerts.map((a) => a.kind)).toEqual(["backup_failed"]);
  expect(resend.accepted).toHaveLength(1);
});
