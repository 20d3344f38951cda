import { describe, expect, it } from "vitest";
import { confirmationEmail, incidentEmail, type IncidentEmailInput } from "@/api/notify/templates";
import { assertSingleAddress, stripLineBreaks, threadHeaders, unsubscribeHeaders } from "@/api/notify/headers";
import { at, makeIncident, makeMaintenance, makePage } from "@/test/support/views";

const page = makePage({ name: "Ticketing", url: "https://status.example.com", timeZone: "Europe/Berlin" });

function emailFor(overrides: Partial<IncidentEmailInput> = {}, updateIndex = 0) {
  const incident =
    overrides.incident ??
    makeIncident({ id: "webtix000001", name: "Webtix down on tix1" }, [
      {
        status: "identified",
        body: "A **data centre reboot** took tix1 down.",
        displayAt: at("2026-11-25T15:20:00.000Z"),
        affectedComponents: [
          { updateId: "u", componentId: "c1", name: "tix1", oldStatus: "operational", newStatus: "major_outage" },
        ],
      },
    ]);
  const update = (incident as ReturnType<typeof makeIncident>).updates[updateIndex]!;
  return incidentEmail({
    page,
    incident,
    update,
    unsubscribeUrl: "https://status.example.com/unsubscribe/tok123",
    manageUrl: "https://status.example.com/subscription/tok123",
    from: "Ticketing status <status@example.com>",
    to: "reader@example.org",
    isFirst: false,
    ...overrides,
  });
}

describe("incident emails", () => {
  it("name the page, the incident and the update's status in the subject", () => {
    expect(emailFor().subject).toBe("[Ticketing] Webtix down on tix1 — Identified");
    const resolved = makeIncident({ name: "Webtix down on tix1" }, [{ status: "resolved" }]);
    expect(emailFor({ incident: resolved }).subject).toBe("[Ticketing] Webtix down on tix1 — Resolved");
  });

  it("carry the body, the status, the components, the local time and the incident link in both parts", () => {
    const email = emailFor();
    const link = "https://status.example.com/incidents/webtix000001";
    for (const part of [email.text, email.html]) {
      expect(part).toContain("Webtix down on tix1");
      expect(part).toContain("Identified");
      expect(part).toContain("tix1: Major Outage");
      expect(part).toContain("Nov 25, 2026, 16:20 GMT+1");
      expect(part).toContain(link);
      expect(part).toContain("https://status.example.com/unsubscribe/tok123");
      expect(part).toContain("https://status.example.com/subscription/tok123");
    }
    expect(email.text).toContain("A **data centre reboot** took tix1 down.");
    expect(email.html).toContain("A <strong>data centre reboot</strong> took tix1 down.");
  });

  it("escape staff text in the HTML part", () => {
    const incident = makeIncident({ name: "<script>alert(1)</script>" }, [
      { body: "<script>alert(2)</script> <img src=x onerror=alert(3)>" },
    ]);
    const { html } = emailFor({ incident });
    expect(html).not.toContain("<script>");
    expect(html).not.toContain("<img");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).toContain("&lt;script&gt;alert(2)&lt;/script&gt;");
  });

  it("never let a line break in the incident or page name reach the Subject", () => {
    const incident = makeIncident({ name: "Outage\r\nBcc: victim@example.com\nX" });
    const email = emailFor({ incident, page: { ...page, name: "Tick\reting" } });
    expect(email.subject).not.toMatch(/[\r\n]/);
    expect(email.subject).toBe("[Tick eting] Outage Bcc: victim@example.com X — Investigating");
  });

  it("refuse a recipient that is not one plain address", () => {
    expect(() => emailFor({ to: "reader@example.org\r\nBcc: x@example.com" })).toThrow(/line break/);
    expect(() => emailFor({ to: "a@example.org, b@example.org" })).toThrow(/single email address/);
  });

  it("offer one-click unsubscribe (RFC 8058)", () => {
    const { headers } = emailFor();
    expect(headers["List-Unsubscribe"]).toBe("<https://status.example.com/unsubscribe/tok123>");
    expect(headers["List-Unsubscribe-Post"]).toBe("List-Unsubscribe=One-Click");
  });

  it("thread every update of one incident under the first email's Message-ID", () => {
    const incident = makeIncident({ id: "inc000000001", name: "Webtix down on tix1" }, [
      { status: "investigating" },
      { status: "identified" },
      { status: "resolved" },
    ]);
    const [resolved, identified, first] = incident.updates;
    const root = emailFor({ incident, update: first, isFirst: true });
    const second = emailFor({ incident, update: identified });
    const third = emailFor({ incident, update: resolved });

    expect(root.headers["Message-ID"]).toBe("<incident-inc000000001@status.example.com>");
    expect(root.headers["In-Reply-To"]).toBeUndefined();
    for (const reply of [second, third]) {
      expect(reply.headers["In-Reply-To"]).toBe(root.headers["Message-ID"]);
      expect(reply.headers.References).toBe(root.headers["Message-ID"]);
    }
    expect(second.headers["Message-ID"]).toBe(`<update-${identified!.id}@status.example.com>`);
    expect(third.headers["Message-ID"]).not.toBe(second.headers["Message-ID"]);
  });

  it("announce a maintenance as scheduled, with its window", () => {
    const incident = makeMaintenance({ name: "Database upgrade" });
    const email = emailFor({ incident });
    expect(email.subject).toBe("[Ticketing] Scheduled maintenance: Database upgrade — Scheduled");
    for (const part of [email.text, email.html]) {
      expect(part).toContain("Scheduled maintenance");
      expect(part).toContain("Dec 1, 2026, 14:00 GMT+1 – 16:00 GMT+1");
    }
  });
});

describe("confirmation emails", () => {
  it("ask to confirm with a link that expires, in both parts", () => {
    const email = confirmationEmail({
      page,
      confirmUrl: "https://status.example.com/confirm/abc?x=1&y=2",
      from: "status@example.com",
      to: "reader@example.org",
    });
    expect(email.subject).toBe("Confirm your subscription to Ticketing status updates");
    expect(email.text).toContain("https://status.example.com/confirm/abc?x=1&y=2");
    expect(email.html).toContain('href="https://status.example.com/confirm/abc?x=1&amp;y=2"');
    expect(email.text).toContain("expires in 24 hours");
    expect(email.html).toContain("expires in 24 hours");
  });
});

describe("header helpers", () => {
  it("fold staff text onto one line", () => {
    expect(stripLineBreaks(" a\r\n\r\nb\nc ")).toBe("a b c");
  });

  it("accept only one bare address", () => {
    expect(assertSingleAddress("reader@example.org")).toBe("reader@example.org");
    expect(() => assertSingleAddress("Reader <reader@example.org>")).toThrow();
  });

  it("refuse ids that would break a Message-ID and unsubscribe URLs that are not http(s)", () => {
    expect(() => threadHeaders("a>b", "u", "example.com")).toThrow();
    expect(() => unsubscribeHeaders("javascript:alert(1)")).toThrow();
    expect(() => unsubscribeHeaders("https://x.example/u/1\r\nBcc: y")).toThrow();
  });
});
