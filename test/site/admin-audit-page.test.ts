import { describe, expect, test } from "vitest";
import { auditEntryView, type AdminAuditView } from "@/present/admin-views";
import type { AuditRow } from "@/db/schema";
import { makePage, T0 } from "./factories";
import { renderPage } from "./render";

const row = (overrides: Partial<AuditRow> = {}): AuditRow => ({
  id: 7,
  at: T0,
  actorKind: "api_key",
  actorKeyId: "k1k1k1k1k1k1",
  actorName: "deploy bot",
  resourceType: "component",
  resourceId: "c1c1c1c1c1c1",
  action: "update",
  before: { status: "operational" },
  after: { status: "major_outage" },
  fields: ["status", "description"],
  ...overrides,
});

const view = (overrides: Partial<AdminAuditView> = {}): AdminAuditView => ({
  page: makePage({ timeZone: "Europe/Paris" }),
  csrf: "c".repeat(64),
  entries: [auditEntryView(row())],
  resourceType: null,
  nextQuery: null,
  ...overrides,
});

describe("the console's audit page", () => {
  test("shows when, who, what and the status change of each entry, in the page's time zone", async () => {
    const html = await renderPage("/admin/audit", view());
    const cells = [...html.matchAll(/<td>([\s\S]*?)<\/td>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, " ").trim());
    expect(cells[0]).toMatch(/2026.*(CET|GMT\+1)/);
    expect(cells[1]).toBe("API key: deploy bot (k1k1k1k1k1k1)");
    expect(cells[2]).toBe("update component c1c1c1c1c1c1");
    expect(cells[3]!.replace(/\s+/g, " ")).toBe("status: operational → major_outage fields: status, description");
    expect(html).toMatch(/<nav aria-label="Console">[\s\S]*href="\/admin\/audit"/);
    expect(html).toContain(`name="csrf" value="${"c".repeat(64)}"`);
  });

  test("flattens component status maps, says when there is nothing, and links to older entries", async () => {
    const incident = auditEntryView(
      row({
        actorKind: "system",
        actorKeyId: null,
        actorName: "maintenance schedule",
        resourceType: "maintenance",
        before: { status: "scheduled", components: { tix1: "operational" } },
        after: { status: "in_progress", components: { tix1: "under_maintenance" } },
        fields: [],
      }),
    );
    expect(incident.actor).toBe("Marquee: maintenance schedule");
    expect(incident.changes).toEqual([
      "status: scheduled → in_progress",
      "components.tix1: operational → under_maintenance",
    ]);
    const next = await renderPage("/admin/audit", view({ nextQuery: "resource_type=group&cursor=9" }));
    expect(next).toMatch(/href="\/admin\/audit\?resource_type=group&(amp;|#38;)cursor=9">Older changes/);
    const empty = await renderPage("/admin/audit", view({ entries: [], resourceType: "webhook_endpoint" }));
    expect(empty).toContain("No changes recorded.");
    expect(empty).toContain('value="webhook_endpoint"');
  });
});
