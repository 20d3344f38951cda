import { eq } from "drizzle-orm";
import type { Db } from "@/db/client";
import { notifications } from "@/db/schema";
import type { PageInfo } from "@/present/views";
import { loadIncident, loadPage } from "@/api/services/read-model";
import { linkKey, subscriberTokenMaker } from "@/api/services/subscriber-links";
import { reminderOfNotification } from "@/api/services/maintenance-reminders";
import { prepareReminderEmail } from "./reminder-email";
import { defaultFrom } from "./from";
import type { Composer } from "./sender";
import { personalizeIncidentEmail, prepareIncidentEmail, type PreparedIncidentEmail } from "./templates";

type PreparedNotification = {
  email: PreparedIncidentEmail;
  pageUrl: string;
  tokenFor: (subscriberId: string) => string;
};

/** Notifications whose shared parts are kept: a sender works on one or two at a time. */
const keptNotifications = 8;

/**
 * Builds the emails of a notification's chunks. What every recipient gets alike (the incident, the rendered update,
 * the page, the link key) is loaded and built once per notification and kept; a chunk then only adds each
 * recipient's address and links, without a query.
 */
export function createIncidentComposer(options: { db: Db; siteUrl?: string; emailFrom?: string }): Composer {
  const { db } = options;
  const kept = new Map<string, Promise<PreparedNotification>>();

  async function prepare(notificationId: string): Promise<PreparedNotification> {
    const page = await loadPage(db, options.siteUrl);
    const [n] = await db.select().from(notifications).where(eq(notifications.id, notificationId));
    if (!n) throw new Error(`notification ${notificationId} is missing`);
    const incident = await loadIncident(db, n.incidentId);
    const from = options.emailFrom ?? defaultFrom(page);
    const tokenFor = subscriberTokenMaker(await linkKey(db));
    const reminder = await reminderOfNotification(db, notificationId);
    if (reminder) {
      const { components } = incident;
      const email = prepareReminderEmail({ page, incident, components, interval: reminder, notificationId, from });
      return { email, pageUrl: page.url, tokenFor };
    }
    const update = incident.updates.find((u) => u.id === n.updateId);
    if (!update) throw new Error(`update ${n.updateId} of notification ${notificationId} is missing`);
    const email = prepareIncidentEmail({
      page,
      incident,
      update,
      from,
      isFirst: incident.updates.at(-1)?.id === update.id,
    });
    return { email, pageUrl: page.url, tokenFor };
  }

  /** One preparation per notification, shared by the chunks built at the same time; a failed one is not kept. */
  function prepared(notificationId: string): Promise<PreparedNotification> {
    let entry = kept.get(notificationId);
    if (entry) {
      kept.delete(notificationId);
    } else {
      entry = prepare(notificationId);
      const mine = entry;
      mine.catch(() => kept.get(notificationId) === mine && kept.delete(notificationId));
    }
    kept.set(notificationId, entry);
    if (kept.size > keptNotifications) kept.delete(kept.keys().next().value!);
    return entry;
  }

  return async ({ notificationId, recipients }) => {
    const { email, pageUrl, tokenFor } = await prepared(notificationId);
    return recipients.map((r) => {
      const token = tokenFor(r.subscriberId);
      return personalizeIncidentEmail(email, {
        to: r.email,
        unsubscribeUrl: `${pageUrl}/unsubscribe/${token}`,
        manageUrl: `${pageUrl}/manage/${token}`,
      });
    });
  };
}
