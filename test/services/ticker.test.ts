import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Change } from "@/api/publish/publish-queue";
import { startTicker } from "@/api/ticker";
import { makeDeps } from "@/test/support/deps";

let env: Awaited<ReturnType<typeof makeDeps>>;
let ticker: ReturnType<typeof startTicker> | undefined;
beforeEach(async () => {
  env = await makeDeps();
  // The interval never fires here: only a tick at start can be seen.
  vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
});
afterEach(() => {
  clearInterval(ticker);
  vi.useRealTimers();
  env.cleanup();
});

describe("the Node server's ticker", () => {
  it("ticks once at start, so the first tick's republish joins the start's publish instead of coming later", async () => {
    const touched: Change[] = [];
    let woken = 0;
    let first!: () => void;
    const ticked = new Promise<void>((resolve) => (first = resolve));
    const target = {
      publisher: { touch: (change: Change) => (touched.push(change), first()) },
      notifier: { wake: () => void woken++ },
    };
    ticker = startTicker(env.deps, target, (m) => expect.fail(m));
    await ticked;
    expect(touched).toEqual([{ incidents: [], months: ["2026-11", "2026-10"] }]);
    expect(woken).toBe(1);
  });
});
