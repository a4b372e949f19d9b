import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["packages/*/test/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration suites start real server processes on loopback ports; two workers match the
    // two cores of the CI machine.
    maxWorkers: 2,
    minWorkers: 1,
  },
});
