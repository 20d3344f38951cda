import { openNodeDb } from "@/db/node";
import { components, incidentComponents, incidents, incidentUpdateComponents, incidentUpdates } from "@/db/schema";
import { newId } from "@/api/ids";
import { seedDefaultPage } from "@/api/services/seed";

/**
 * A data directory with the default page and `count` resolved incidents, each with three updates and one affected
 * component: the history a page has after years of service.
 */
export async function seedHistory(dataDir: string, count: number, now = Date.now()) {
  const { db, close } = openNodeDb(`${dataDir}/marquee.db`);
  await seedDefaultPage({ db, clock: () => now }, "http://localhost");
  const comps = await db.select().from(components);
  // About ten incidents a week, whatever the count: a longer history is older, not denser.
  const every = 17 * 3600e3;
  const span = every * count;
  const rows = {
    incidents: [] as (typeof incidents.$inferInsert)[],
    updates: [] as (typeof incidentUpdates.$inferInsert)[],
    links: [] as (typeof incidentComponents.$inferInsert)[],
    changes: [] as (typeof incidentUpdateComponents.$inferInsert)[],
  };
  for (let i = 0; i < count; i++) {
    const id = newId();
    const start = now - span + Math.floor((span * i) / count);
    const component = comps[i % comps.length]!;
    rows.incidents.push({
      id,
      kind: "incident",
      name: `Incident ${i} on ${component.name}`,
      status: "resolved",
      impact: "major",
      startedAt: start,
      monitoringAt: start + 1800e3,
      resolvedAt: start + 3600e3,
      createdAt: start,
      updatedAt: start + 3600e3,
    });
    rows.links.push({ incidentId: id, componentId: component.id });
    (
      [
        ["investigating", 0, "partial_outage", "operational"],
        ["monitoring", 1800e3, null, null],
        ["resolved", 3600e3, "operational", "partial_outage"],
      ] as const
    ).forEach(([status, offset, to, from]) => {
      const updateId = newId();
      rows.updates.push({
        id: updateId,
        incidentId: id,
        status,
        body: `We are looking into **${component.name}**: step ${status}.\nMore details follow.`,
        displayAt: start + offset,
        deliverNotifications: true,
        createdAt: start + offset,
        updatedAt: start + offset,
      });
      if (to)
        rows.changes.push({
          updateId,
          componentId: component.id,
          name: component.name,
          oldStatus: from!,
          newStatus: to,
        });
    });
  }
  const sqlite = (db as unknown as { $client: { transaction(fn: () => void): () => void } }).$client;
  sqlite.transaction(() => {
    for (let i = 0; i < rows.incidents.length; i += 500) {
      (db.insert(incidents).values(rows.incidents.slice(i, i + 500)) as unknown as { run(): void }).run();
      (db.insert(incidentComponents).values(rows.links.slice(i, i + 500)) as unknown as { run(): void }).run();
    }
    for (let i = 0; i < rows.updates.length; i += 500)
      (db.insert(incidentUpdates).values(rows.updates.slice(i, i + 500)) as unknown as { run(): void }).run();
    for (let i = 0; i < rows.changes.length; i += 500)
      (db.insert(incidentUpdateComponents).values(rows.changes.slice(i, i + 500)) as unknown as { run(): void }).run();
  })();
  close();
}
