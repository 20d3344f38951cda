import { openNodeDb } from "@/db/node";
import { components, incidentComponents, incidents, incidentUpdateComponents, incidentUpdates } from "@/db/schema";
import { newId } from "@/api/ids";
import { seedDefaultPage } from "@/api/services/seed";

export type Density = "sparse" | "dense";

/**
 * A data directory with the default page and `count` resolved incidents, each with three updates and one affected
 * component. Sparse: the history a page has after years of service, about ten incidents a week, so a longer history
 * is older, not denser. Dense: all of them in the current month (the page's zone is UTC), nine in ten within the
 * last day, as a flapping component or a year imported at once leaves it.
 */
export async function seedHistory(dataDir: string, count: number, now = Date.now(), density: Density = "sparse") {
  const { db, close } = openNodeDb(`${dataDir}/marquee.db`);
  await seedDefaultPage({ db, clock: () => now }, "http://localhost");
  const comps = await db.select().from(components);
  const startOf = density === "dense" ? denseStarts(count, now) : sparseStarts(count, now);
  const rows = {
    incidents: [] as (typeof incidents.$inferInsert)[],
    updates: [] as (typeof incidentUpdates.$inferInsert)[],
    links: [] as (typeof incidentComponents.$inferInsert)[],
    changes: [] as (typeof incidentUpdateComponents.$inferInsert)[],
  };
  for (let i = 0; i < count; i++) {
    const id = newId();
    const start = startOf(i);
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

function sparseStarts(count: number, now: number) {
  const span = 17 * 3600e3 * count;
  return (i: number) => now - span + Math.floor((span * i) / count);
}

function denseStarts(count: number, now: number) {
  const d = new Date(now);
  const monthStart = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
  // Every incident starts and resolves within the month and before now.
  const last = Math.max(monthStart, now - 3600e3);
  const burstFrom = Math.max(monthStart, last - 20 * 3600e3);
  const spread = Math.floor(count / 10);
  return (i: number) =>
    i < spread
      ? monthStart + Math.floor(((burstFrom - monthStart) * i) / spread)
      : burstFrom + Math.floor(((last - burstFrom) * (i - spread)) / (count - spread));
}
