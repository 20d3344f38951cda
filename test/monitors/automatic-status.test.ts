import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createMonitorRunner, maintainResults, nextCheckAfter } from "@/api/monitors/runner";
import type { CheckResult, MonitorCheck } from "@/api/monitors/check-types";
import { makeApp } from "../support/app";
import { recipients, waitForOutbox } from "../support/outbox";
import {
  createComponent,
  expectError,
  expectStatus,
  getComponent,
  postUpdate,
  type TestApp,
  type V2Incident,
} from "../support/factories";

/**
 * The rules of automatic status, driven by a fake clock and scripted results (the checks themselves are tested
 * against real local targets in checks-*.test.ts): thresholds, what a detection writes, staff winning, restarts.
 */
type Monitor = { id: string; state: string; last_message: string | null; next_check_at: string | null };

let t: TestApp;
let outcomes: CheckResult["outcome"][];
const checked: MonitorCheck[] = [];

const result = (outcome: CheckResult["outcome"]): CheckResult => ({
  outcome,
  responseMs: outcome === "down" ? null : 42,
  message: outcome === "down" ? "connection refused" : outcome === "degraded" ? "answered in 2400 ms" : "HTTP 200",
});

function runner() {
  return createMonitorRunner({
    ...t.deps,
    // Time moves on while a check is applied, as it does for real: each reading of the clock is a millisecond later.
    clock: () => t.clock.advance(1),
    target: { publisher: t.publisher, notifier: t.notifier },
    runCheck: async (check) => {
      checked.push(check);
      return result(outcomes.shift() ?? "up");
    },
  });
}

/**
 * Moves the clock one interval on (and the ten seconds a monitor overdue after a pause may be spread over) and runs
 * whatever is due, with the next scripted outcome.
 */
async function step(outcome: CheckResult["outcome"], run = runner()) {
  outcomes.push(outcome);
  t.clock.advance(70_000);
  await Promise.all(await run.runDue());
  expect(outcomes).toEqual([]);
}

async function monitor(id: string) {
  return expectStatus<Monitor>(await t.call("GET", `/api/v1/monitors/${id}`), 200);
}

async function incidents() {
  return expectStatus<V2Incident[]>(await t.call("GET", "/api/v1/incidents"), 200);
}

async function createMonitor(fields: Record<string, unknown>) {
  return expectStatus<Monitor>(
    await t.call("POST", "/api/v1/monitors", {
      name: "tix1",
      type: "http",
      url: "http://tix1.internal:8080/health",
      interval_seconds: 60,
      ...fields,
    }),
    201,
  );
}

beforeEach(async () => {
  t = await makeApp();
  outcomes = [];
  checked.length = 0;
});
afterEach(() => t.cleanup());

describe("a monitor's thresholds", () => {
  it("waits for failure_threshold failures before down, and success_threshold successes before up", async () => {
    const webtix = await createComponent(t, { name: "Webtix" });
    const m = await createMonitor({ component_id: webtix.id, failure_threshold: 3, success_threshold: 2 });
    expect(m.state).toBe("pending");

    await step("up");
    expect((await monitor(m.id)).state).toBe("up");
    await step("down");
    await step("down");
    expect((await monitor(m.id)).state).toBe("up");
    expect((await getComponent(t, webtix.id)).status).toBe("operational");
    await step("down");
    expect(await monitor(m.id)).toMatchObject({ state: "down", last_message: "connection refused" });
    expect((await getComponent(t, webtix.id)).status).toBe("major_outage");

    await step("up");
    expect((await monitor(m.id)).state).toBe("down");
    await step("up");
    expect((await monitor(m.id)).state).toBe("up");
    expect((await getComponent(t, webtix.id)).status).toBe("operational");
    expect(checked[0]).toMatchObject({ type: "http", url: "http://tix1.internal:8080/health", method: "GET" });
  });

  it("never flaps the page on alternating results below the thresholds", async () => {
    const webtix = await createComponent(t, { name: "Webtix" });
    await createMonitor({ component_id: webtix.id, failure_threshold: 2 });
    for (const o of ["up", "down", "up", "down", "up", "down", "up"] as const) await step(o);
    expect((await getComponent(t, webtix.id)).status).toBe("operational");
    const history = await expectStatus<{ entries: unknown[] }>(
      await t.call("GET", `/api/v1/audit?resource_type=component&resource_id=${webtix.id}`),
      200,
    );
    expect(history.entries.filter((e) => (e as { action: string }).action === "update")).toEqual([]);
  });

  it("turns slow answers into degraded_performance, then down wins over it", async () => {
    const webtix = await createComponent(t, { name: "Webtix" });
    await createMonitor({
      component_id: webtix.id,
      failure_threshold: 1,
      success_threshold: 1,
      down_status: "partial_outage",
    });
    await step("degraded");
    expect((await getComponent(t, webtix.id)).status).toBe("degraded_performance");
    await step("down");
    expect((await getComponent(t, webtix.id)).status).toBe("partial_outage");
    await step("up");
    expect((await getComponent(t, webtix.id)).status).toBe("operational");
  });
});

describe("what a detection does", () => {
  it("opens a published incident naming the component, and resolves it on recovery", async () => {
    const webtix = await createComponent(t, { name: "Webtix" });
    await createMonitor({ component_id: webtix.id, failure_threshold: 1, success_threshold: 1, incident: "publish" });
    await step("down");
    const [open] = await incidents();
    expect(open).toMatchObject({ name: "Webtix is unavailable", status: "investigating" });
    expect(open!.components.map((c) => c.id)).toEqual([webtix.id]);
    // Customers read no internal detail: not the check's message, not the target's address.
    expect(JSON.stringify(open)).not.toMatch(/connection refused|tix1\.internal/);

    await step("up");
    const [closed] = await incidents();
    expect(closed).toMatchObject({ id: open!.id, status: "resolved" });
    expect((await getComponent(t, webtix.id)).status).toBe("operational");
  });

  it("prepares a draft for staff instead, discarded if the target recovers first", async () => {
    const webtix = await createComponent(t, { name: "Webtix" });
    await createMonitor({ component_id: webtix.id, failure_threshold: 1, success_threshold: 1, incident: "draft" });
    await step("down");
    expect(await incidents()).toEqual([]);
    const drafts = await expectStatus<{ id: string; name: string }[]>(
      await t.call("GET", "/api/v1/incident-drafts"),
      200,
    );
    expect(drafts).toMatchObject([{ name: "Webtix is unavailable" }]);
    await step("up");
    expect(await expectStatus(await t.call("GET", "/api/v1/incident-drafts"), 200)).toEqual([]);
  });

  it("publishes a draft when staff say so, and the incident is then theirs", async () => {
    const webtix = await createComponent(t, { name: "Webtix" });
    await createMonitor({ component_id: webtix.id, failure_threshold: 1, success_threshold: 1, incident: "draft" });
    await step("down");
    const [draft] = await expectStatus<{ id: string }[]>(await t.call("GET", "/api/v1/incident-drafts"), 200);
    await expectError(
      await t.call("POST", `/api/v1/incident-drafts/${draft!.id}/publish`, {}, { scope: "read" }),
      403,
      "forbidden",
    );
    const published = await expectStatus<V2Incident>(
      await t.call("POST", `/api/v1/incident-drafts/${draft!.id}/publish`, {}),
      201,
    );
    expect(published).toMatchObject({ name: "Webtix is unavailable", status: "investigating" });
    await step("up");
    expect((await incidents())[0]).toMatchObject({ id: published.id, status: "investigating" });
    expect((await getComponent(t, webtix.id)).status).toBe("operational");
  });

  it("opens no second incident when one already covers the component", async () => {
    const webtix = await createComponent(t, { name: "Webtix" });
    await t.call("POST", "/api/v1/incidents", {
      name: "Payments slow",
      components: { [webtix.id]: "degraded_performance" },
    });
    await createMonitor({ component_id: webtix.id, failure_threshold: 1, incident: "publish" });
    await step("down");
    expect((await incidents()).map((i) => i.name)).toEqual(["Payments slow"]);
    // Staff set degraded_performance themselves: automation leaves it.
    expect((await getComponent(t, webtix.id)).status).toBe("degraded_performance");
  });
});

describe("staff alerts", () => {
  it("tells the staff each change of state and what Marquee did, and never the subscribers", async () => {
    const webtix = await createComponent(t, { name: "Webtix" });
    await expectStatus(
      await t.call("POST", "/api/v1/staff-destinations", { kind: "email", target: "ops@example.com" }),
      201,
    );
    await t.call("POST", "/api/v1/subscribers/import", {
      subscribers: [{ email: "reader@example.com" }],
      skip_confirmation: true,
    });
    await createMonitor({ component_id: webtix.id, failure_threshold: 1, success_threshold: 1 });
    await step("down");
    await step("up");
    const mails = await waitForOutbox(t.outbox, 2);
    expect(mails.flatMap(recipients)).toEqual(["ops@example.com", "ops@example.com"]);
    const subjects = mails.map((m) => m.subject).sort();
    expect(subjects).toEqual(["tix1 is down", "tix1 is up again"]);
    const down = mails.find((m) => m.subject === "tix1 is down")!;
    expect(down.text).toContain("connection refused");
    expect(down.text).toContain("Webtix is now major outage");
    const { length } = await expectStatus<unknown[]>(await t.call("GET", "/api/v1/staff-alerts"), 200);
    expect(length).toBe(2);
  });
});

describe("staff always win", () => {
  it("leaves a component staff changed during the outage as they set it", async () => {
    const webtix = await createComponent(t, { name: "Webtix" });
    await createMonitor({ component_id: webtix.id, failure_threshold: 1, success_threshold: 1 });
    await step("down");
    await expectStatus(await t.call("PATCH", `/api/v1/components/${webtix.id}`, { status: "partial_outage" }), 200);
    await step("up");
    expect((await getComponent(t, webtix.id)).status).toBe("partial_outage");
  });

  it("does not undo staff setting the component back to operational while the target is still down", async () => {
    const webtix = await createComponent(t, { name: "Webtix" });
    await createMonitor({ component_id: webtix.id, failure_threshold: 1, success_threshold: 1 });
    await step("down");
    await expectStatus(await t.call("PATCH", `/api/v1/components/${webtix.id}`, { status: "operational" }), 200);
    await step("down");
    await step("down");
    expect((await getComponent(t, webtix.id)).status).toBe("operational");
    // The next outage after a recovery is automation's again.
    await step("up");
    await step("down");
    expect((await getComponent(t, webtix.id)).status).toBe("major_outage");
  });

  it("leaves an incident staff updated open for them on recovery", async () => {
    const webtix = await createComponent(t, { name: "Webtix" });
    await createMonitor({ component_id: webtix.id, failure_threshold: 1, success_threshold: 1, incident: "publish" });
    await step("down");
    const [open] = await incidents();
    t.clock.advance(1000);
    await postUpdate(t, open!.id, { status: "identified", body: "A data centre reboot by our provider." });
    await step("up");
    expect((await incidents())[0]).toMatchObject({ id: open!.id, status: "identified" });
    // The component was still automation's: it is operational again.
    expect((await getComponent(t, webtix.id)).status).toBe("operational");
  });

  it("leaves a component under maintenance alone", async () => {
    const webtix = await createComponent(t, { name: "Webtix", status: "under_maintenance" });
    await createMonitor({ component_id: webtix.id, failure_threshold: 1, success_threshold: 1 });
    await step("down");
    expect((await getComponent(t, webtix.id)).status).toBe("under_maintenance");
    await step("up");
    expect((await getComponent(t, webtix.id)).status).toBe("under_maintenance");
  });

  it("records every automatic change in the audit log as Marquee's, naming the monitor", async () => {
    const webtix = await createComponent(t, { name: "Webtix" });
    await createMonitor({ component_id: webtix.id, failure_threshold: 1 });
    await step("down");
    const { entries } = await expectStatus<{ entries: { actor: { kind: string; name: string }; after: unknown }[] }>(
      await t.call("GET", `/api/v1/audit?resource_type=component&resource_id=${webtix.id}`),
      200,
    );
    expect(entries[0]).toMatchObject({
      actor: { kind: "system", name: "monitor tix1" },
      after: { status: "major_outage" },
    });
  });
});

describe("a monitor's life", () => {
  it("keeps its state across a restart in the middle of a down period", async () => {
    const webtix = await createComponent(t, { name: "Webtix" });
    const m = await createMonitor({
      component_id: webtix.id,
      failure_threshold: 1,
      success_threshold: 2,
      incident: "publish",
    });
    await step("down", runner());
    await step("up", runner());
    // A new runner, as after a restart: it reads the state, counts the second success and resolves.
    await step("up", runner());
    expect((await monitor(m.id)).state).toBe("up");
    expect((await getComponent(t, webtix.id)).status).toBe("operational");
    expect((await incidents())[0]!.status).toBe("resolved");
  });

  it("is not checked while paused, and starts afresh when resumed", async () => {
    const webtix = await createComponent(t, { name: "Webtix" });
    const m = await createMonitor({ component_id: webtix.id, failure_threshold: 1, success_threshold: 1 });
    await step("down");
    const paused = await expectStatus<Monitor>(await t.call("POST", `/api/v1/monitors/${m.id}/pause`), 200);
    expect(paused).toMatchObject({ state: "paused", next_check_at: null });
    t.clock.advance(600_000);
    const run = runner();
    expect(await run.runDue()).toEqual([]);
    // Paused, it keeps what it did to the page; resumed, its first result decides.
    expect((await getComponent(t, webtix.id)).status).toBe("major_outage");
    expect((await expectStatus<Monitor>(await t.call("POST", `/api/v1/monitors/${m.id}/resume`), 200)).state).toBe(
      "pending",
    );
    await step("up", run);
    expect((await getComponent(t, webtix.id)).status).toBe("operational");
  });

  it("keeps its own rhythm, and spreads checks that fell behind", () => {
    const m = { nextCheckAt: 1_000_000, intervalSeconds: 30 };
    // Run up to a second late by the loop: the next check is still one interval after the planned one.
    expect(nextCheckAfter(m, 1_000_900)).toBe(1_030_000);
    // Overdue by more than an interval: spread over the next interval plus up to ten seconds.
    const spread = Array.from({ length: 50 }, () => nextCheckAfter(m, 2_000_000) - 2_000_000);
    expect(Math.min(...spread)).toBeGreaterThanOrEqual(30_000);
    expect(Math.max(...spread)).toBeLessThan(40_000);
    expect(new Set(spread).size).toBeGreaterThan(1);
  });

  it("is never checked twice at once, even by two runners", async () => {
    await createMonitor({ failure_threshold: 1 });
    t.clock.advance(60_000);
    outcomes.push("up");
    const [a, b] = [runner(), runner()];
    const started = [...(await a.runDue()), ...(await b.runDue())];
    expect(started).toHaveLength(1);
    await Promise.all(started);
  });

  it("keeps results and serves them with hourly roll-ups", async () => {
    const m = await createMonitor({ failure_threshold: 1 });
    await step("up");
    await step("degraded");
    await step("down");
    const body = await expectStatus<{ results: { outcome: string; response_ms: number | null }[] }>(
      await t.call("GET", `/api/v1/monitors/${m.id}/results`),
      200,
    );
    expect(body.results.map((r) => r.outcome)).toEqual(["down", "degraded", "up"]);
  });
});

describe("results on the status page", () => {
  it("shows a chart of the last hours once an hour is rolled up, for monitors staff chose to show", async () => {
    const webtix = await createComponent(t, { name: "Webtix" });
    const wintix = await createComponent(t, { name: "Wintix" });
    await createMonitor({ component_id: webtix.id, show_chart: true });
    await createMonitor({ name: "wintix", component_id: wintix.id });
    t.clock.set("2026-11-25T13:00:30Z");
    for (let i = 0; i < 4; i++) await step("up");
    expect(await maintainResults(t.deps)).toBe(false);
    t.clock.set("2026-11-25T14:00:30Z");
    expect(await maintainResults(t.deps)).toBe(true);
    // Once per hour: the next upkeep has nothing new.
    expect(await maintainResults(t.deps)).toBe(false);
    t.publisher.touch({});
    await t.publisher.idle();
    const page = t.store.get("/");
    const html = new TextDecoder().decode(page!.body);
    const figures = html.match(/<figure class="response"[\s\S]*?<\/figure>/g) ?? [];
    expect(figures).toHaveLength(1);
    expect(figures[0]).toContain("42 ms on average");
  });

  it("prunes raw results after 48 hours and keeps the hourly figures", async () => {
    const m = await createMonitor({});
    await step("up");
    t.clock.advance(3_600_000);
    await maintainResults(t.deps);
    t.clock.advance(49 * 3_600_000);
    await maintainResults(t.deps);
    const since = new Date(t.clock() - 60 * 3_600_000).toISOString();
    const body = await expectStatus<{ results: unknown[]; hourly: { checks: number; mean_response_ms: number }[] }>(
      await t.call("GET", `/api/v1/monitors/${m.id}/results?since=${since}`),
      200,
    );
    expect(body.results).toEqual([]);
    expect(body.hourly).toMatchObject([{ checks: 1, mean_response_ms: 42 }]);
  });
});

describe("the monitor API", () => {
  it("refuses bad monitors with a clear error and creates nothing", async () => {
    const bad = [
      [{ type: "http" }, "url"],
      [{ type: "tcp", host: "db1" }, "port"],
      [{ type: "http", url: "ftp://x" }, "url"],
      [{ type: "tls", url: "http://x" }, "url"],
      [{ type: "http", url: "http://x", interval_seconds: 2 }, "interval_seconds"],
      [{ type: "http", url: "http://x", interval_seconds: 5, timeout_ms: 5000 }, "timeout_ms"],
      [{ type: "http", url: "http://x", expected_status: "2xx" }, "expected_status"],
      [{ type: "http", url: "http://x", headers: { "X-A": "a\r\nInjected: 1" } }, "headers"],
      [{ type: "http", url: "http://x", failure_threshold: 11 }, "failure_threshold"],
      [{ type: "http", url: "http://x", down_status: "operational" }, "down_status"],
      [{ type: "ping", url: "http://x" }, "type"],
      [{ type: "http", url: "http://user:pw@x" }, "url"],
      [{ type: "http", url: "http://x", headers: { Connection: "keep-alive" } }, "headers"],
      [{ type: "http", url: "http://x", method: "HEAD", keyword: "ok" }, "keyword"],
      [{ type: "tls", url: "https://x/path" }, "url"],
    ] as const;
    for (const [fields, path] of bad) {
      const err = await expectError(
        await t.call("POST", "/api/v1/monitors", { name: "x", ...fields }),
        422,
        "validation_failed",
      );
      expect(err.message, JSON.stringify(fields)).toMatch(new RegExp(`^${path}`));
    }
    await expectError(
      await t.call("POST", "/api/v1/monitors", { name: "x", type: "http", url: "http://x", component_id: "nope" }),
      422,
      "validation_failed",
    );
    await expectError(
      await t.call("POST", "/api/v1/monitors", { name: "x", type: "http", url: "http://x" }, { scope: "write" }),
      403,
      "forbidden",
    );
    expect(await expectStatus(await t.call("GET", "/api/v1/monitors"), 200)).toEqual([]);
  });

  it("hides header values, which may hold the target's credentials", async () => {
    const m = await createMonitor({ headers: { Authorization: "Bearer s3cret-token" } });
    const text = await (await t.call("GET", `/api/v1/monitors/${m.id}`)).text();
    expect(text).not.toContain("s3cret-token");
    expect(JSON.parse(text).headers).toEqual({ Authorization: "(hidden)" });
  });

  it("changes a monitor by PATCH, validated as a whole, and keeps hidden header values", async () => {
    const m = await createMonitor({ headers: { Authorization: "Bearer s3cret-token" } });
    await expectError(
      await t.call("PATCH", `/api/v1/monitors/${m.id}`, { timeout_ms: 60_000 }),
      422,
      "validation_failed",
    );
    const changed = await expectStatus<Monitor & { interval_seconds: number }>(
      await t.call("PATCH", `/api/v1/monitors/${m.id}`, { interval_seconds: 30, timeout_ms: 5000 }),
      200,
    );
    expect(changed.interval_seconds).toBe(30);
    await step("up");
    expect(checked.at(-1)).toMatchObject({ headers: { Authorization: "Bearer s3cret-token" }, timeoutMs: 5000 });
    await expectStatus(await t.call("DELETE", `/api/v1/monitors/${m.id}`), 204);
    await expectError(await t.call("GET", `/api/v1/monitors/${m.id}`), 404, "not_found");
  });
});
