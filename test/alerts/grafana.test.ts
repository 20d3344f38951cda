import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { receivedAlerts } from "@/db/schema";
import { sha256Hex } from "@/api/ids";
import { labelsIdentity } from "@/api/alerts/alert-labels";
import { expectStatus } from "../support/factories";
import type { AlertsAnswer } from "@/api/alerts/receive-alerts";
import { type AlertApp, makeAlertApp } from "./alert-app";
import { type AlertSpec, grafanaBody } from "./webhook-bodies";

let t: AlertApp;
beforeEach(async () => {
  t = await makeAlertApp();
});
afterEach(async () => {
  await t.cleanup();
});

const checkoutErrors: AlertSpec = {
  labels: { alertname: "CheckoutErrors", component: "Webtix", grafana_folder: "Ticketing", severity: "error" },
  annotations: { summary: "5xx ratio above 5% on checkout" },
  startsAt: "2026-11-25T11:57:10Z",
};
const resolved = (a: AlertSpec): AlertSpec => ({ ...a, status: "resolved", endsAt: "2026-11-25T12:07:10Z" });

describe("alerts from Grafana", () => {
  it("a firing alert (state alerting) sets the component; its resolution (state ok) restores it", async () => {
    const firing = grafanaBody([checkoutErrors]);
    expect(JSON.parse(firing)).toMatchObject({ version: "1", state: "alerting", orgId: 1 });
    expect(await t.deliver("grafana", firing)).toEqual({ received: 1, applied: 1, unmatched: [] });
    expect(await t.published("Webtix")).toBe("partial_outage");
    t.clock.advance(10 * 60_000);
    expect(await t.deliver("grafana", grafanaBody([resolved(checkoutErrors)]))).toMatchObject({ applied: 1 });
    expect(await t.published("Webtix")).toBe("operational");
  });

  it("without a fingerprint (older Grafana), the sorted labels identify the alert across firing and resolution", async () => {
    const old = { ...checkoutErrors, fingerprint: null };
    await t.deliver("grafana", grafanaBody([old]));
    expect(await t.deliver("grafana", grafanaBody([old]))).toMatchObject({ applied: 0 });
    const [row] = await t.deps.db.select().from(receivedAlerts);
    expect(row!.fingerprint).toBe((await sha256Hex(labelsIdentity(checkoutErrors.labels))).slice(0, 16));
    await t.deliver("grafana", grafanaBody([resolved(old)]));
    expect(await t.status("Webtix")).toBe("operational");
  });

  it("Grafana set to PUT is answered the same", async () => {
    const res = await t.post("grafana", grafanaBody([checkoutErrors]), t.alertsKey, "PUT");
    expect(await expectStatus<AlertsAnswer>(res, 200)).toMatchObject({ applied: 1 });
    expect(await t.status("Webtix")).toBe("partial_outage");
  });

  it("the same fingerprint from Alertmanager and from Grafana are two alerts", async () => {
    const shared = { ...checkoutErrors, fingerprint: "0123456789abcdef" };
    await t.deliver("grafana", grafanaBody([shared]));
    await t.deliver("alertmanager", grafanaBody([{ ...shared, labels: { ...shared.labels, severity: "critical" } }]));
    expect(await t.deps.db.select().from(receivedAlerts)).toHaveLength(2);
    await t.deliver("grafana", grafanaBody([resolved(shared)]));
    expect(await t.status("Webtix")).toBe("major_outage");
  });
});
