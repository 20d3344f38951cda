import { describe, expect, it } from "vitest";
import { timeSlicer } from "@/api/event-loop";

/** Whether the event loop turned (ran a setImmediate queued now) while `step` was awaited. */
async function turnedDuring(step: () => Promise<void>) {
  let turned = false;
  setImmediate(() => (turned = true));
  await step();
  return turned;
}

describe("a time slicer", () => {
  it("lets small steps share a turn, and gives readers a turn once the steps have taken the budget", async () => {
    let clock = 0;
    const turns = timeSlicer(5, () => clock);
    expect(await turnedDuring(turns.next)).toBe(true);
    clock += 4;
    expect(await turnedDuring(turns.whenDue)).toBe(false);
    // The steps since the last turn have taken the budget.
    clock += 1;
    expect(await turnedDuring(turns.whenDue)).toBe(true);
    expect(await turnedDuring(turns.whenDue)).toBe(false);
  });
});
