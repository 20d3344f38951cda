import { and, eq } from "drizzle-orm";
import { commit } from "@/api/services/effects";
import { tick } from "@/api/services/tick";
import { automaticStates, heartbeats } from "@/db/schema";
import { makeApp } from "../support/app";
import { expectStatus, json } from "../support/factories";
import { waitUntil } from "../support/wait";

export type HeartbeatAnswer = {
  id: string;
  name: string;
  state: "new" | "up" | "late" | "down";
  paused: boolean;
  period_seconds: number | null;
  schedule: string | null;
  time_zone: string;
  grace_seconds: number;
  component_id: string | null;
  down_status: string;
  last_ping_at: string | null;
  last_start_at: string | null;
  late_at: string | null;
  down_at: string | null;
  down_reason: string | null;
  report_error: string | null;
  ping_url?: string;
};

/** The real app over a fresh database, with what heartbeat tests do: create, ping, read, and run the tick. */
export async function heartbeatApp() {
  const t = await makeApp();
  const target = { publisher: t.publisher, notifier: t.notifier };
  const row = async (id: string) => (await t.deps.db.select().from(heartbeats).where(eq(heartbeats.id, id)))[0];
  const h = {
    t,
    async create(fields: Record<string, unknown> = {}) {
      const res = await t.call("POST", "/api/v1/heartbeats", {
        name: "Nightly backup",
        period_seconds: 3600,
        grace_seconds: 600,
        ...fields,
      });
      return expectStatus<HeartbeatAnswer & { ping_url: string }>(res, 201);
    },
    get: async (id: string) => expectStatus<HeartbeatAnswer>(await t.call("GET", `/api/v1/heartbeats/${id}`), 200),
    /** A ping on the app, by the path of its URL; `suffix` is "/start", "/fail", "/2"… */
    ping: (pingUrl: string, suffix = "", init?: RequestInit) => t.app.request(new URL(pingUrl).pathname + suffix, init),
    /** Pings and waits until automation knows what the ping changed. */
    async pingAndSettle(beat: { id: string; ping_url: string }, suffix = "") {
      const res = await h.ping(beat.ping_url, suffix);
      if (res.status !== 200) throw new Error(`ping answered ${res.status}: ${await res.text()}`);
      await waitUntil(async () => {
        const r = (await row(beat.id))!;
        return r.reported === (r.status === "down") && r.dueAt !== t.clock();
      }, "automation is told what the ping changed");
      await t.publisher.idle();
      return res;
    },
    /** One tick of the shared clock, its effects applied, and the pages published. */
    async tick() {
      await commit(target, tick(t.deps, null));
      await t.publisher.idle();
    },
    row,
    automaticState: async (id: string) =>
      (
        await t.deps.db
          .select()
          .from(automaticStates)
          .where(and(eq(automaticStates.sourceKind, "heartbeat"), eq(automaticStates.sourceId, id)))
      )[0],
    /** The component's status as readers see it in the published summary.json. */
    async publishedStatus(componentId: string) {
      await t.publisher.idle();
      const summary = await json<{ components: { id: string; status: string }[] }>(
        await t.app.request("/api/v2/summary.json"),
      );
      return summary.components.find((c) => c.id === componentId)?.status;
    },
  };
  return h;
}
