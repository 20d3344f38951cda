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
    const emails = alerts.staffEmails.map((to) => ({
      from,
      to,
      subject: `[${page.name}] Backup failed`,
      text,
      html: `<pre>${text.replace(/[&<>]/g, (c) => `&#${c.charCodeAt(0)};`)}</pre>`,
      headers: {},
    }));
    const result = await alerts.transport.sendChunk(emails, `backup-failed-${failure.id}`);
    if (!result.ok) {
      log(`Could not tell the staff about the failed backup ${failure.id}: ${result.error}`);
      return;
    }
    await markAlerted(deps, failure.id, deps.clock());
  }
}
