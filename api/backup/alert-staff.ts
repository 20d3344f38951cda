import type { Deps } from "@/api/services/deps";
import { markAlerted, unalertedFailures } from "@/api/services/backups";
import { loadPage } from "@/api/services/read-model";
import { defaultFrom } from "@/api/notify/from";
import type { MailTransport } from "@/api/notify/transport";

export type StaffAlerts = { transport: MailTransport; staffEmails: string[]; emailFrom?: string };

/**
 * Tells the staff (STAFF_EMAILS) about every failed backup not yet told, one email per failure and address, through
 * the mail transport. The idempotency key is the backup's id, so a send retried after a crash is not sent twice by
 * Resend; a failure that could not be sent is tried again after the next backup.
 */
export async function alertStaff(deps: Deps, alerts: StaffAlerts, log: (m: string) => void): Promise<void> {
  if (alerts.staffEmails.length === 0) return;
  const failures = await unalertedFailures(deps);
  if (failures.length === 0) return;
  const page = await loadPage(deps.db, deps.siteUrl);
  const from = alerts.emailFrom ?? defaultFrom(page);
  for (const failure of failures) {
    const when = new Date(failure.takenAt).toISOString();
    const text = [
      `The backup of ${page.name}'s status page taken at ${when} failed:`,
      "",
      `  ${failure.reason}`,
      "",
      `File: ${failure.file}`,
      "Run `npm run backup` on the server to try again; GET /api/v1/backups lists every backup and its checks.",
    ].join("\n");
    const sent = await sendToStaff(alerts, from, `[${page.name}] Backup failed`, text, `backup-failed-${failure.id}`);
    if (sent) {
      log(`Could not tell the staff about the failed backup ${failure.id}: ${sent}`);
      return;
    }
    await markAlerted(deps, failure.id, deps.clock());
  }
}

/**
 * Tells the staff that no good backup was taken for 1.5 intervals (a copy command that hangs, a scheduler that
 * stopped). `since` is the last good backup's time, or when the server started. Gives true once sent, so the caller
 * sends it once per `since`; the idempotency key carries `since` too.
 */
export async function alertMissing(deps: Deps, alerts: StaffAlerts, since: number, log: (m: string) => void) {
  if (alerts.staffEmails.length === 0) return false;
  const page = await loadPage(deps.db, deps.siteUrl);
  const text = [
    `No good backup of ${page.name}'s status page has been taken since ${new Date(since).toISOString()}.`,
    "",
    "Look at the server's log and GET /api/v1/backups; `npm run backup` takes one now and says what goes wrong.",
  ].join("\n");
  const subject = `[${page.name}] No backup since ${new Date(since).toISOString().slice(0, 16).replace("T", " ")} UTC`;
  const failed = await sendToStaff(
    alerts,
    alerts.emailFrom ?? defaultFrom(page),
    subject,
    text,
    `backup-missing-${since}`,
  );
  if (failed) log(`Could not tell the staff about the missing backup: ${failed}`);
  return failed === null;
}

/** One email to each staff address. Gives null once sent, else the error. */
async function sendToStaff(alerts: StaffAlerts, from: string, subject: string, text: string, key: string) {
  const emails = alerts.staffEmails.map((to) => ({
    from,
    to,
    subject,
    text,
    html: `<pre>${text.replace(/[&<>]/g, (c) => `&#${c.charCodeAt(0)};`)}</pre>`,
    headers: {},
  }));
  const result = await alerts.transport.sendChunk(emails, key);
  return result.ok ? null : result.error;
}
