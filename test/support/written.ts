import type { Written } from "@/api/services/effects";

/** A write verb that gives its value only, for tests that look at what it wrote rather than at its effects. */
export const valueOf =
  <A extends unknown[], T>(write: (...args: A) => Promise<Written<T>>) =>
  async (...args: A): Promise<T> =>
    (await write(...args)).value;
