import { eq } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { automaticStates, componentStatusChanges, receivedAlerts } from "@/db/schema";
import { parseSeverityStatuses } from "@/api/alerts/severity";
import { dbSnapshot, expectError, expectStatus, json } from "../support/factories";
import { type AlertApp, makeAlertApp } from "./alert-app";
import { alertmanagerBody, type AlertSpec, fingerprintOf } from "./webhook-bodies";

let t: AlertApp;
beforeEach(async () => {
  t = await makeAlertApp();
});
afterEach(async () => {
  await t.cleanup();
});

const tix1Down: AlertSpec = {
  labels: { alertname: "TixDown", component: "tix1", instance: "tix1:9100", job: "tix", severity: "critical" },
  annotations: { summary: "tix1 does not answer", description: "up == 0 for 2 minutes" },
  startsAt: "2026-11-25T11:58:30.123456789Z",
};
const resolved = (a: AlertSpec, endsAt = "2026-11-25T12:10:00.5Z"): AlertSpec => ({ ...a, status: "resolved", endsAt });
const changesOf = async (name: string) =>
  (
    await t.deps.db
      .select()
      .from(componentStatusChanges)
      .where(eq(componentStatusChanges.componentId, await t.id(name)))
  ).length;

describe("alerts from Alertmanager", () => {
  it("a firing alert naming a component sets its status from the severity, and readers see it", async () => {
    const answer = await t.deliver("alertmanager", alertmanagerBody([tix1Down], { alertname: "TixDown" }));
    expect(answer).toEqual({ received: 1, applied: 1, unmatched: [] });
    expect(await t.published("tix1")).toBe("major_outage");
    expect(await t.published("tix2")).toBe("operational");
  });

  it("the change is in the audit log as the alert's, and the key that delivered it is marked used", async () => {
    await t.deliver("alertmanager", alertmanagerBody([tix1Down]));
    const { entries } = await json<{ entries: { actor: { kind: string; name: string }; action: string }[] }>(
      await t.call("GET", "/api/v1/audit?limit=1"),
    );
    expect(entries[0]).toMatchObject({ actor: { kind: "system", name: "alert TixDown" }, action: "update" });
    const keys = await json<{ name: string; last_used_at: string | null }[]>(await t.call("GET", "/api/v1/api-keys"));
    expect(keys.find((k) => k.name === "alertmanager")?.last_used_at).toBe("2026-11-25T12:00:00.000Z");
  });

  it("its resolution restores the component", async () => {
    await t.deliver("alertmanager", alertmanagerBody([tix1Down]));
    t.clock.advance(10 * 60_000);
    const answer = await t.deliver("alertmanager", alertmanagerBody([resolved(tix1Down)]));
    expect(answer).toEqual({ received: 1, applied: 1, unmatched: [] });
    expect(await t.published("tix1")).toBe("operational");
    const [row] = await t.deps.db.select().from(receivedAlerts);
    expect(row).toMatchObject({
      source: "alertmanager",
      fingerprint: fingerprintOf(tix1Down.labels),
      status: "resolved",
      startsAt: Date.parse("2026-11-25T11:58:30.123Z"),
      endsAt: Date.parse("2026-11-25T12:10:00.5Z"),
      summary: "tix1 does not answer",
    });
  });

  it("a grouped notification sets each alert's own component", async () => {
    const webtixSlow: AlertSpec = {
      labels: { alertname: "SlowCheckout", component: "webtix", severity: "warning" },
      startsAt: "2026-11-25T11:59:00Z",
      endsAt: "2026-11-25T12:04:00Z",
    };
    const answer = await t.deliver("alertmanager", alertmanagerBody([tix1Down, webtixSlow], {}));
    expect(answer).toEqual({ received: 2, applied: 2, unmatched: [] });
    expect(await t.published("tix1")).toBe("major_outage");
    expect(await t.published("Webtix")).toBe("degraded_performance");
  });

  it("a repeated delivery changes nothing", async () => {
    const body = alertmanagerBody([tix1Down]);
    await t.deliver("alertmanager", body);
    const before = await dbSnapshot(t.deps);
    t.clock.advance(4 * 3600_000); // repeat_interval
    expect(await t.deliver("alertmanager", body)).toEqual({ received: 1, applied: 0, unmatched: [] });
    expect(await dbSnapshot(t.deps)).toEqual(before);
    expect(await changesOf("tix1")).toBe(1);
  });

  it("the same notification delivered twice at once (two clustered Alertmanagers) changes the component once", async () => {
    const body = alertmanagerBody([tix1Down]);
    const answers = await Promise.all([t.deliver("alertmanager", body), t.deliver("alertmanager", body)]);
    expect(answers.map((a) => a.applied).sort()).toEqual([0, 1]);
    expect(await changesOf("tix1")).toBe(1);
  });

  it("resolved alerts are forgotten after 30 days; firing ones are kept", async () => {
    const other = { ...tix1Down, labels: { ...tix1Down.labels, component: "tix2" } };
    await t.deliver("alertmanager", alertmanagerBody([resolved(tix1Down), other], {}));
    t.clock.advance(31 * 24 * 3600_000);
    await t.deliver("alertmanager", alertmanagerBody([{ ...tix1Down, labels: { alertname: "Watchdog" } }]));
    const left = await t.deps.db.select({ fingerprint: receivedAlerts.fingerprint }).from(receivedAlerts);
    expect(left.map((r) => r.fingerprint).sort()).toEqual(
      [fingerprintOf(other.labels), fingerprintOf({ alertname: "Watchdog" })].sort(),
    );
  });

  it("a resolution of an older firing does not resolve the newer one", async () => {
    const older = { ...tix1Down, startsAt: "2026-11-25T10:00:00Z" };
    await t.deliver("alertmanager", alertmanagerBody([tix1Down]));
    const answer = await t.deliver("alertmanager", alertmanagerBody([resolved(older, "2026-11-25T10:30:00Z")]));
    expect(answer.applied).toBe(0);
    expect(await t.published("tix1")).toBe("major_outage");
  });

  it("a firing that arrives after its own resolution is ignored", async () => {
    await t.deliver("alertmanager", alertmanagerBody([resolved(tix1Down)]));
    expect(await t.deliver("alertmanager", alertmanagerBody([tix1Down]))).toMatchObject({ applied: 0 });
    expect(await t.status("tix1")).toBe("operational");
    expect(await changesOf("tix1")).toBe(0);
    // The same alert firing again later (a new startsAt) counts.
    const again = { ...tix1Down, startsAt: "2026-11-25T12:30:00Z" };
    expect(await t.deliver("alertmanager", alertmanagerBody([again]))).toMatchObject({ applied: 1 });
    expect(await t.status("tix1")).toBe("major_outage");
  });

  it("two alerts on one component: the worst wins, and it comes back only when the last one clears", async () => {
    const slow: AlertSpec = {
      labels: { alertname: "TixSlow", component: "tix1", severity: "warning" },
      startsAt: "2026-11-25T11:59:00Z",
    };
    await t.deliver("alertmanager", alertmanagerBody([slow]));
    expect(await t.status("tix1")).toBe("degraded_performance");
    await t.deliver("alertmanager", alertmanagerBody([tix1Down]));
    expect(await t.status("tix1")).toBe("major_outage");
    await t.deliver("alertmanager", alertmanagerBody([resolved(tix1Down)]));
    expect(await t.status("tix1")).toBe("degraded_performance");
    await t.deliver("alertmanager", alertmanagerBody([resolved(slow)]));
    expect(await t.published("tix1")).toBe("operational");
  });

  it("an alert naming no known component is recorded and reported, and the rest of the payload still counts", async () => {
    const unknown: AlertSpec = {
      labels: { alertname: "DiskFull", component: "tix9", severity: "critical" },
      startsAt: "2026-11-25T11:50:00Z",
    };
    const unlabelled: AlertSpec = {
      labels: { alertname: "Watchdog", severity: "none" },
      startsAt: "2026-11-25T08:00:00Z",
    };
    const answer = await t.deliver("alertmanager", alertmanagerBody([unknown, tix1Down, unlabelled], {}));
    expect(answer).toEqual({
      received: 3,
      applied: 1,
      unmatched: [
        {
          fingerprint: fingerprintOf(unknown.labels),
          alertname: "DiskFull",
          component: "tix9",
          reason: "no component has this id or name",
        },
        {
          fingerprint: fingerprintOf(unlabelled.labels),
          alertname: "Watchdog",
          component: null,
          reason: "it has no component label",
        },
      ],
    });
    expect(await t.published("tix1")).toBe("major_outage");
    expect(await t.deps.db.select().from(receivedAlerts)).toHaveLength(3);
    // The one naming an unknown component still reaches automation, with no component, so the staff hear of it.
    const states = await t.deps.db.select().from(automaticStates);
    expect(states.map((s) => [s.sourceId, s.componentId, s.problem]).sort()).toEqual(
      [
        [`alertmanager:${fingerprintOf(unknown.labels)}`, null, true],
        [`alertmanager:${fingerprintOf(tix1Down.labels)}`, await t.id("tix1"), true],
      ].sort(),
    );
  });

  it("the component label takes an id, or a name in any case", async () => {
    const byId = { ...tix1Down, labels: { ...tix1Down.labels, component: await t.id("Wintix") } };
    const byName = { ...tix1Down, labels: { ...tix1Down.labels, component: "WEBTIX" } };
    expect(await t.deliver("alertmanager", alertmanagerBody([byId, byName], {}))).toMatchObject({ applied: 2 });
    expect(await t.status("Wintix")).toBe("major_outage");
    expect(await t.status("Webtix")).toBe("major_outage");
  });

  it("staff who set the component after the alert fired keep their status when it resolves", async () => {
    await t.deliver("alertmanager", alertmanagerBody([tix1Down]));
    await expectStatus(
      await t.call("PATCH", `/api/v1/components/${await t.id("tix1")}`, { status: "partial_outage" }),
      200,
    );
    await t.deliver("alertmanager", alertmanagerBody([resolved(tix1Down)]));
    expect(await t.published("tix1")).toBe("partial_outage");
  });

  it("the severity mapping: major → partial outage, info changes nothing, marquee_status overrides", async () => {
    const at = (component: string, labels: Record<string, string>): AlertSpec => ({
      labels: { alertname: `A-${component}`, component, ...labels },
      startsAt: "2026-11-25T11:59:00Z",
    });
    const answer = await t.deliver(
      "alertmanager",
      alertmanagerBody([
        at("tix2", { severity: "major" }),
        at("tix3", { severity: "info" }),
        at("tix4", { severity: "critical", marquee_status: "degraded_performance" }),
        at("tix5", { severity: "page" }),
      ]),
    );
    expect(answer).toMatchObject({ received: 4, applied: 3 });
    expect(await t.status("tix2")).toBe("partial_outage");
    expect(await t.status("tix3")).toBe("operational");
    expect(await t.status("tix4")).toBe("degraded_performance");
    expect(await t.status("tix5")).toBe("major_outage");
    const infoResolved = {
      ...at("tix3", { severity: "info" }),
      status: "resolved" as const,
      endsAt: "2026-11-25T12:01:00Z",
    };
    expect(await t.deliver("alertmanager", alertmanagerBody([infoResolved]))).toMatchObject({ applied: 0 });
  });

  it("a bad marquee label is reported and the alert changes nothing", async () => {
    const bad = { ...tix1Down, labels: { ...tix1Down.labels, marquee_status: "on_fire" } };
    const answer = await t.deliver("alertmanager", alertmanagerBody([bad]));
    expect(answer.applied).toBe(0);
    expect(answer.unmatched[0]!.reason).toMatch(/marquee_status "on_fire" is not one of/);
    expect(await t.status("tix1")).toBe("operational");
  });

  it("marquee_incident=publish opens an incident that the resolution resolves", async () => {
    const withIncident = { ...tix1Down, labels: { ...tix1Down.labels, marquee_incident: "publish" } };
    await t.deliver("alertmanager", alertmanagerBody([withIncident]));
    await t.publisher.idle();
    const open = await json<{ incidents: { name: string }[] }>(
      await t.app.request("/api/v2/incidents/unresolved.json"),
    );
    expect(open.incidents.map((i) => i.name)).toEqual(["tix1 is unavailable"]);
    await t.deliver("alertmanager", alertmanagerBody([resolved(withIncident)]));
    await t.publisher.idle();
    // What the alert says is for the staff: readers and subscribers get Marquee's own wording.
    const incidents = await (await t.app.request("/api/v2/incidents.json")).text();
    expect(incidents).not.toMatch(/does not answer|TixDown|prometheus/);
    const after = await json<{ incidents: unknown[] }>(await t.app.request("/api/v2/incidents/unresolved.json"));
    expect(after.incidents).toEqual([]);
    expect(await t.published("tix1")).toBe("operational");
  });
});

describe("ALERT_SEVERITY_STATUSES in the app", () => {
  it("a configured mapping replaces the default for its severity", async () => {
    const custom = await makeAlertApp({ alertSeverityStatuses: parseSeverityStatuses("critical=partial_outage") });
    try {
      await custom.deliver("alertmanager", alertmanagerBody([tix1Down]));
      expect(await custom.status("tix1")).toBe("partial_outage");
    } finally {
      await custom.cleanup();
    }
  });
});

describe("bad alert payloads", () => {
  it("more than 1000 alerts: 413, and nothing changes", async () => {
    const before = await dbSnapshot(t.deps);
    const body = JSON.stringify({ version: "4", alerts: Array.from({ length: 1001 }, () => ({})) });
    const error = await expectError(await t.post("alertmanager", body), 413, "payload_too_large");
    expect(error.message).toMatch(/1001 alerts; at most 1000/);
    expect(await dbSnapshot(t.deps)).toEqual(before);
  });

  it("a body over 64 KB: 413", async () => {
    const many = Array.from({ length: 200 }, (_, i) => ({
      ...tix1Down,
      labels: { ...tix1Down.labels, instance: `tix1:${i}`, padding: "x".repeat(300) },
    }));
    await expectError(await t.post("alertmanager", alertmanagerBody(many)), 413, "payload_too_large");
    expect(await t.status("tix1")).toBe("operational");
  });

  it("a payload that is not Alertmanager's: 422 naming the field, and nothing changes", async () => {
    const before = await dbSnapshot(t.deps);
    const wrong = [
      { alerts: "none" },
      { alerts: [{ ...JSON.parse(alertmanagerBody([tix1Down])).alerts[0], status: "pending" }] },
      { alerts: [{ ...JSON.parse(alertmanagerBody([tix1Down])).alerts[0], startsAt: "yesterday" }] },
      { alerts: [{ ...JSON.parse(alertmanagerBody([tix1Down])).alerts[0], labels: { component: 1 } }] },
    ];
    for (const body of wrong) {
      await expectError(await t.post("alertmanager", JSON.stringify(body)), 422, "validation_failed");
    }
    await expectError(await t.post("alertmanager", "{not json"), 400, "invalid_json");
    const proto = alertmanagerBody([tix1Down]).replace('"labels":{', '"labels":{"__proto__":"x",');
    await expectError(await t.post("alertmanager", proto), 422, "validation_failed");
    expect(await dbSnapshot(t.deps)).toEqual(before);
  });
});
