import { describe, expect, it } from "vitest";
import {
  presentComponent,
  presentComponents,
  presentGroup,
  presentIncident,
  presentPage,
  statuspageDocuments,
} from "@/present/statuspage";
import {
  at,
  makeComponent,
  makeGroup,
  makeIncident,
  makeMaintenance,
  makePage,
  makeSnapshot,
} from "@/test/support/views";

import { pageKeys, componentKeys, incidentKeys, updateKeys } from "@/test/support/statuspage-keys";

type Doc = Record<string, any>;
const documents = (snapshot = makeSnapshot()) => statuspageDocuments(snapshot) as Record<string, Doc>;
const ids = (list: { id: string }[]) => list.map((x) => x.id);

describe("Statuspage v2 documents", () => {
  it("serves the eight documents at the paths clients request", () => {
    expect(Object.keys(documents()).sort()).toEqual([
      "/api/v2/components.json",
      "/api/v2/incidents.json",
      "/api/v2/incidents/unresolved.json",
      "/api/v2/scheduled-maintenances.json",
      "/api/v2/scheduled-maintenances/active.json",
      "/api/v2/scheduled-maintenances/upcoming.json",
      "/api/v2/status.json",
      "/api/v2/summary.json",
    ]);
  });

  it("lays out summary.json as page, components, incidents, scheduled_maintenances, status", () => {
    const summary = documents()["/api/v2/summary.json"]!;
    expect(Object.keys(summary)).toEqual(["page", "components", "incidents", "scheduled_maintenances", "status"]);
    expect(Object.keys(summary.status)).toEqual(["indicator", "description"]);
    expect(summary.status).toEqual({ indicator: "none", description: "All Systems Operational" });
  });

  it("keeps every array present, empty rather than null, on an empty page", () => {
    const docs = documents();
    expect(docs["/api/v2/summary.json"]).toMatchObject({ components: [], incidents: [], scheduled_maintenances: [] });
    expect(docs["/api/v2/incidents.json"]!.incidents).toEqual([]);
    expect(docs["/api/v2/scheduled-maintenances.json"]!.scheduled_maintenances).toEqual([]);
    expect(docs["/api/v2/scheduled-maintenances/upcoming.json"]!.scheduled_maintenances).toEqual([]);
  });

  it("gives every document the page object and status.json the status", () => {
    const docs = documents(makeSnapshot({}, { components: [makeComponent({ status: "major_outage" })] }));
    for (const doc of Object.values(docs)) expect(Object.keys(doc.page)).toEqual(pageKeys);
    expect(Object.keys(docs["/api/v2/status.json"]!)).toEqual(["page", "status"]);
    expect(docs["/api/v2/status.json"]!.status).toEqual({ indicator: "critical", description: "Major System Outage" });
  });
});

describe("the page object", () => {
  it("carries the page code and the snapshot's date as updated_at", () => {
    const snapshot = makeSnapshot({ page: makePage({ id: "kctbh9vrtdwd", name: "GitHub" }) });
    expect(presentPage(snapshot)).toEqual({
      id: "kctbh9vrtdwd",
      name: "GitHub",
      url: "https://status.example.com",
      time_zone: "Etc/UTC",
      updated_at: "2026-11-25T15:50:05.892Z",
    });
  });

  it("renders timestamps in the page time zone's offset", () => {
    const page = makePage({ timeZone: "America/Tijuana" });
    const snapshot = makeSnapshot({ page, updatedAt: at("2022-02-15T21:37:37.407Z") });
    expect(presentPage(snapshot).updated_at).toBe("2022-02-15T13:37:37.407-08:00");
    const c = presentComponent(makeComponent({ createdAt: at("2022-07-01T12:00:00.000Z") }), page);
    expect(c.created_at).toBe("2022-07-01T05:00:00.000-07:00");
  });
});

describe("components", () => {
  it("presents a leaf with Statuspage's keys in order and no components key", () => {
    const c = makeComponent({ startDate: "2021-05-13", description: "Box office" });
    const row = presentComponent(c, makePage());
    expect(Object.keys(row)).toEqual(componentKeys);
    expect(row).toMatchObject({ group: false, group_id: null, start_date: "2021-05-13", page_id: "pagecode0001" });
  });

  it("presents a group with group:true, its status and its members' ids", () => {
    const g = makeGroup({ status: "partial_outage" }, [{ name: "tix1" }, { name: "tix2" }]);
    const row = presentGroup(g, makePage());
    expect(Object.keys(row)).toEqual([...componentKeys, "components"]);
    expect(row).toMatchObject({ group: true, group_id: null, status: "partial_outage", components: ids(g.components) });
  });

  it("lists groups and leaves by position, children carrying their group's id", () => {
    const servers = makeGroup({ position: 1 }, [{ name: "tix1" }, { name: "tix2" }, { name: "tix3" }]);
    const webtix = makeComponent({ name: "Webtix", position: 2 });
    const wintix = makeComponent({ name: "Wintix", position: 3 });
    const rows = presentComponents(makeSnapshot({}, { groups: [servers], components: [webtix, wintix] }));
    expect(rows.map((r) => [r.name, r.position])).toEqual([
      ["Ticketing servers", 1],
      ["tix1", 1],
      ["tix2", 2],
      ["Webtix", 2],
      ["tix3", 3],
      ["Wintix", 3],
    ]);
    for (const child of rows.filter((r) => r.name.startsWith("tix"))) expect(child.group_id).toBe(servers.id);
    expect(rows[0]).toMatchObject({ group: true, components: ids(servers.components) });
  });
});

describe("incidents and maintenances", () => {
  it("presents an incident and its updates with Statuspage's keys in order", () => {
    const tix1 = makeComponent({ name: "tix1" });
    const incident = makeIncident({ components: [tix1] }, [
      {
        status: "investigating",
        affectedComponents: [
          { updateId: "u", componentId: tix1.id, name: "tix1", oldStatus: "operational", newStatus: "major_outage" },
        ],
      },
      { status: "identified", displayAt: at("2026-11-25T15:30:00.000Z") },
    ]);
    const json = presentIncident(incident, makePage());
    expect(Object.keys(json)).toEqual(incidentKeys);
    expect(json.shortlink).toBe(`https://status.example.com/incidents/${incident.id}`);
    expect(json.incident_updates.map((u) => u.status)).toEqual(["identified", "investigating"]);
    for (const u of json.incident_updates) {
      expect(Object.keys(u)).toEqual(updateKeys);
      expect(u).toMatchObject({
        tweet_id: null,
        custom_tweet: null,
        deliver_notifications: true,
        incident_id: incident.id,
      });
    }
    expect(json.incident_updates[0]!.affected_components).toEqual([]);
    expect(json.incident_updates[1]!.affected_components).toEqual([
      { code: tix1.id, name: "tix1", old_status: "operational", new_status: "major_outage" },
    ]);
    expect(Object.keys(json.components[0]!)).toEqual(componentKeys);
  });

  it("leaves monitoring_at and resolved_at null until the incident gets there", () => {
    const open = presentIncident(makeIncident(), makePage());
    expect(open).toMatchObject({ monitoring_at: null, resolved_at: null, started_at: "2026-11-25T15:00:00.000Z" });
    const done = presentIncident(makeIncident({ resolvedAt: at("2026-11-25T16:00:00.000Z") }), makePage());
    expect(done.resolved_at).toBe("2026-11-25T16:00:00.000Z");
  });

  it("presents a maintenance as an incident plus scheduled_for and scheduled_until at the end", () => {
    const page = makePage({ timeZone: "Africa/Johannesburg" });
    const json = presentIncident(makeMaintenance(), page);
    expect(Object.keys(json)).toEqual([...incidentKeys, "scheduled_for", "scheduled_until"]);
    expect(json).toMatchObject({
      scheduled_for: "2026-12-01T15:00:00.000+02:00",
      scheduled_until: "2026-12-01T17:00:00.000+02:00",
    });
  });

  it("puts only unresolved incidents in unresolved.json and summary.json", () => {
    const open = makeIncident({}, [{ status: "investigating" }, { status: "monitoring" }]);
    const resolved = makeIncident({}, [{ status: "investigating" }, { status: "resolved" }]);
    const postmortem = makeIncident({}, [{ status: "postmortem" }]);
    const docs = documents(
      makeSnapshot({
        unresolvedIncidents: [open, resolved, postmortem],
        recentIncidents: [postmortem, resolved, open],
      }),
    );
    expect(ids(docs["/api/v2/incidents/unresolved.json"]!.incidents)).toEqual([open.id]);
    expect(ids(docs["/api/v2/summary.json"]!.incidents)).toEqual([open.id]);
    expect(ids(docs["/api/v2/incidents.json"]!.incidents)).toEqual([postmortem.id, resolved.id, open.id]);
  });

  it("splits maintenances into upcoming (scheduled) and active (in progress or verifying)", () => {
    const upcoming = makeMaintenance({}, [{ status: "scheduled" }]);
    const running = makeMaintenance({}, [{ status: "scheduled" }, { status: "in_progress" }]);
    const verifying = makeMaintenance({}, [{ status: "verifying" }]);
    const completed = makeMaintenance({}, [{ status: "completed" }]);
    const docs = documents(
      makeSnapshot({
        upcomingMaintenances: [upcoming, running],
        activeMaintenances: [running, verifying, completed],
        recentMaintenances: [completed, verifying, running, upcoming],
      }),
    );
    expect(ids(docs["/api/v2/scheduled-maintenances/upcoming.json"]!.scheduled_maintenances)).toEqual([upcoming.id]);
    expect(ids(docs["/api/v2/scheduled-maintenances/active.json"]!.scheduled_maintenances)).toEqual([
      running.id,
      verifying.id,
    ]);
    expect(ids(docs["/api/v2/summary.json"]!.scheduled_maintenances)).toEqual([running.id, verifying.id, upcoming.id]);
    expect(docs["/api/v2/scheduled-maintenances.json"]!.scheduled_maintenances).toHaveLength(4);
  });

  it("serializes tweet_id as null and never a null array", () => {
    const incident = makeIncident({}, [{}]);
    const text = JSON.stringify(documents(makeSnapshot({ unresolvedIncidents: [incident] }))["/api/v2/summary.json"]);
    expect(text).toContain('"tweet_id":null');
    expect(text).toContain('"affected_components":[]');
    expect(text).toContain('"components":[]');
    expect(text).not.toMatch(
      /"(components|incidents|scheduled_maintenances|incident_updates|affected_components)":null/,
    );
  });
});
