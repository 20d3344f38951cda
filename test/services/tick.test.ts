import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { listComponents } from "@/api/services/components";
import { scheduleMaintenance } from "@/api/services/maintenances";
import { tick } from "@/api/services/tick";
import { makeDeps } from "@/test/support/deps";

let env: Awaited<ReturnType<typeof makeDeps>>;
beforeEach(async () => {
  env = await makeDeps();
});
afterEach(() => env.cleanup());

// The page's zone is UTC; the test clock starts at 2026-11-25T12:00:00Z.
describe("a tick of the clock, the same on Node and on Workers", () => {
  it("always retries the outbox, and republishes nothing on a quiet tick of the same day", async () => {
    const first = await tick(env.deps, null);
    expect(first.value).toBe("2026-11-25");
    expect(first.effects.wake).toBe(true);
    env.clock.advance(5_000);
    const quiet = await tick(env.deps, first.value);
    expect(quiet.effects).toEqual({ publish: undefined, wake: true });
  });

  it("publishes a maintenance it starts, and wakes the senders to tell its subscribers", async () => {
    const [webtix] = (await listComponents(env.deps)).filter((c) => c.name === "Webtix");
    const { value: maintenance } = await scheduleMaintenance(env.deps, {
      name: "Webtix upgrade",
      scheduled_for: Date.parse("2026-11-25T13:00:00Z"),
      scheduled_until: Date.parse("2026-11-25T14:00:00Z"),
      components: [webtix!.id],
      auto_transition: true,
      notify: true,
    });
    env.clock.set("2026-11-25T13:00:01Z");
    const started = await tick(env.deps, "2026-11-25");
    expect(started.effects).toEqual({ publish: { incidents: [maintenance.id], months: [] }, wake: true });
  });

  it("when the day turns, republishes the months whose pages count days", async () => {
    env.clock.set("2026-12-01T00:00:05Z");
    const turned = await tick(env.deps, "2026-11-30");
    expect(turned.value).toBe("2026-12-01");
    expect(turned.effects.publish).toEqual({ incidents: [], months: ["2026-12", "2026-11"] });
  });
});
