import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { dueHeartbeats, settleDueHeartbeats } from "@/api/heartbeats/settle";
import { type Heartbeat, heartbeats } from "@/db/schema";
import { makeDeps } from "../support/deps";

let env: Awaited<ReturnType<typeof makeDeps>>;
beforeEach(async () => {
  env = await makeDeps();
});
afterEach(() => env.cleanup());

const heartbeat = (i: number, dueAt: number | null): Heartbeat => ({
  id: `hb${String(i).padStart(10, "0")}`,
  name: `job ${i}`,
  tokenHash: `hash${i}`,
  periodSeconds: 3600,
  schedule: null,
  timeZone: "UTC",
  graceSeconds: 600,
  componentId: null,
  downStatus: "major_outage",
  incidentMode: "off",
  notify: false,
  paused: false,
  status: "up",
  downReason: null,
  lastPingAt: 0,
  lastStartAt: null,
  lateAt: dueAt === null ? null : dueAt - 600_000,
  downAt: dueAt,
  dueAt,
  reported: false,
  reportError: null,
  createdAt: 0,
  updatedAt: 0,
});

describe("the tick's look at heartbeats", () => {
  it("is one query on the due_at index, which finds only the heartbeats whose time has come", async () => {
    const now = env.clock();
    const rows = Array.from({ length: 3000 }, (_, i) => heartbeat(i, i < 3 ? now - 1000 : now + 3600_000 + i));
    for (let i = 0; i < rows.length; i += 500) await env.deps.db.insert(heartbeats).values(rows.slice(i, i + 500));
    const query = dueHeartbeats(env.deps.db, now).toSQL();
    let k = 0;
    const plan = await env.deps.db.all<{ detail: string }>(
      sql.raw(`explain query plan ${query.sql.replace(/\?/g, () => String(query.params[k++]))}`),
    );
    expect(query.params).toEqual([now, 200]);
    expect(plan.map((p) => p.detail)).toEqual([expect.stringMatching(/USING INDEX heartbeats_due_idx/)]);

    const settled = await settleDueHeartbeats(env.deps);
    expect(settled.value).toBe(3);
    const down = await env.deps.db
      .select({ id: heartbeats.id })
      .from(heartbeats)
      .where(sql`status = 'down'`);
    expect(down.map((r) => r.id).sort()).toEqual(rows.slice(0, 3).map((r) => r.id));
    expect((await settleDueHeartbeats(env.deps)).value).toBe(0);
  });
});
