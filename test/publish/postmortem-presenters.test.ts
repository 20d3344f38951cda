import { describe, expect, it } from "vitest";
import { incidentPayload } from "@/api/notify/webhook-payloads";
import { historyHtml } from "@/api/publish/feeds";
import { postmortemUpdateId, publishedPostmortem, timelineUpdates } from "@/present/postmortem";
import { presentIncident } from "@/present/statuspage";
import { at, makeIncident, makePage, makeUpdate } from "@/test/support/views";

const page = makePage();
const overall = { indicator: "none" as const, description: "All Systems Operational" };

/** A resolved incident with a published postmortem, as the read model gives it (newest update first). */
function withPostmortem() {
  const id = "inc000000001";
  const resolved = makeUpdate({
    incidentId: id,
    status: "resolved",
    body: "Back.",
    displayAt: at("2026-11-25T16:00:00Z"),
  });
  const first = makeUpdate({ incidentId: id, status: "investigating", displayAt: at("2026-11-25T15:00:00Z") });
  const postmortem = makeUpdate({
    id: postmortemUpdateId(id),
    incidentId: id,
    status: "postmortem",
    body: "## Cause\nA reboot.",
    displayAt: at("2026-11-26T09:00:00Z"),
    updatedAt: at("2026-11-26T10:00:00Z"),
  });
  return makeIncident({ id, status: "postmortem", updates: [postmortem, resolved, first] });
}

describe("a published postmortem in the documents readers get", () => {
  it("is found apart from the timeline", () => {
    const incident = withPostmortem();
    expect(publishedPostmortem(incident)?.body).toBe("## Cause\nA reboot.");
    expect(timelineUpdates(incident).map((u) => u.status)).toEqual(["resolved", "investigating"]);
    expect(publishedPostmortem(makeIncident())).toBeNull();
  });

  it("leaves Statuspage's incident_updates as they were, with the status postmortem", () => {
    const presented = presentIncident(withPostmortem(), page);
    expect(presented.status).toBe("postmortem");
    expect(presented.incident_updates.map((u) => u.status)).toEqual(["resolved", "investigating"]);
  });

  it("fills the webhook payload's postmortem fields", () => {
    const { incident } = incidentPayload(page, overall, withPostmortem(), at("2026-11-26T10:00:00Z"));
    expect(incident).toMatchObject({
      status: "postmortem",
      postmortem_body: "## Cause\nA reboot.",
      postmortem_published_at: "2026-11-26T09:00:00.000Z",
      postmortem_body_last_updated_at: "2026-11-26T10:00:00.000Z",
      postmortem_notified_subscribers: true,
    });
    const plain = incidentPayload(page, overall, makeIncident(), at("2026-11-26T10:00:00Z")).incident;
    expect(plain).toMatchObject({ postmortem_body: null, postmortem_published_at: null });
  });

  it("leads the feed entry under its own label", () => {
    const html = historyHtml(withPostmortem(), "UTC");
    expect(html.indexOf("<strong>Postmortem</strong> - ## Cause<br />A reboot.")).toBeGreaterThan(0);
    expect(html.indexOf("<strong>Postmortem</strong>")).toBeLessThan(html.indexOf("<strong>Resolved</strong>"));
  });
});
