import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// Tests wait for states, not times. These bounds only stop a broken test from hanging, so they are generous enough
// for a 2-core machine running two test suites at once.
export default defineConfig({
  resolve: { alias: { "@": fileURLToPath(new URL(".", import.meta.url)) } },
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    expect: { poll: { timeout: 30_000 } },
  },
});
