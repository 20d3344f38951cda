import type { Db, Statement } from "@/db/client";

/**
 * Two connections (better-sqlite3 on one file, or D1) whose writes (`runAtomically`'s batch) each wait until both runners have reached their write, so
 * both have read before either writes: the race two processes or two Workers invocations can run into.
 */
export function racingPair(a: Db, b: Db): [Db, Db] {
  let arrived = 0;
  let release!: () => void;
  const both = new Promise<void>((resolve) => (release = resolve));
  const racing = (db: Db): Db => {
    let first = true;
    return new Proxy(db, {
      get(target, prop, receiver) {
        if (prop !== "batch") return Reflect.get(target, prop, receiver);
        return async (statements: Statement[]) => {
          if (first) {
            first = false;
            if (++arrived === 2) release();
            await both;
          }
          const d1 = target as unknown as { batch?: (s: Statement[]) => Promise<unknown> };
          if (typeof d1.batch === "function") return void (await d1.batch(statements));
          const sync = target as unknown as { transaction(fn: () => void): void };
          sync.transaction(() => statements.forEach((s) => (s as unknown as { run(): void }).run()));
        };
      },
    });
  };
  return [racing(a), racing(b)];
}
