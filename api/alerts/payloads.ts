/**
 * The webhook bodies of Prometheus Alertmanager (version "4": prometheus/alertmanager notify/webhook/webhook.go and
 * template.Data) and of Grafana Alerting's webhook contact point (version "1": grafana/alerting
 * receivers/webhook/v1/webhook.go, templates.ExtendedData). Both carry the same alert list; Grafana adds fields
 * (orgId, title, state, message, per alert silenceURL, values…). Fields Marquee does not use are let through
 * unread, so a newer version that adds some still works; the ones it uses are checked.
 */
import { z } from "zod";
import { AppError } from "@/api/errors";
import { validate } from "@/api/http";
import type { AlertSource } from "@/db/vocabulary";

/** Alertmanager's `max_alerts` and Grafana's "Max alerts" cut a group to fewer; a bigger one is refused whole. */
export const maxAlertsPerPayload = 1000;

// Go marshals time.Time as RFC 3339 with up to nine fraction digits; an unset endsAt is year 1.
const GoTime = z.iso.datetime({ offset: true }).transform((s) => Date.parse(s));
const LabelSet = z.record(z.string().max(1024), z.string().max(4096));

const Alert = z.object({
  status: z.enum(["firing", "resolved"]),
  labels: LabelSet,
  annotations: LabelSet.nullish(),
  startsAt: GoTime,
  endsAt: GoTime.nullish(),
  generatorURL: z.string().max(4096).nullish(),
  fingerprint: z.string().max(128).nullish(),
});

/** What Marquee reads of either tool's body; the OpenAPI document shows it. */
export const AlertWebhookPayload = z.object({ alerts: z.array(Alert) });

/** One alert as both tools describe it. `fingerprint` is null when the sender gave none (Grafana before 9.x). */
export type ReceivedAlertInput = {
  status: "firing" | "resolved";
  labels: Record<string, string>;
  summary: string | null;
  startsAt: number;
  endsAt: number | null;
  generatorUrl: string | null;
  fingerprint: string | null;
};

/** Checks a parsed JSON body and returns its alerts. Too many alerts: 413, before any is looked at. */
export function parseAlertPayload(source: AlertSource, body: object): ReceivedAlertInput[] {
  const alerts = (body as { alerts?: unknown }).alerts;
  if (Array.isArray(alerts) && alerts.length > maxAlertsPerPayload) {
    throw new AppError(
      "payload_too_large",
      `This ${source} payload holds ${alerts.length} alerts; at most ${maxAlertsPerPayload} are taken at once ` +
        `(set max_alerts on the receiver)`,
    );
  }
  return validate(AlertWebhookPayload, body).alerts.map((a) => ({
    status: a.status,
    labels: a.labels,
    summary: (a.annotations?.summary ?? a.annotations?.description ?? "").slice(0, 500) || null,
    startsAt: a.startsAt,
    endsAt: a.endsAt != null && a.endsAt > 0 ? a.endsAt : null,
    generatorUrl: a.generatorURL || null,
    fingerprint: a.fingerprint?.trim() || null,
  }));
}
