import { defineConfig } from 'vitest/config';

// Two tiers: unit tests need no services and run in parallel; integration
// tests share one Redis and one Docker engine, so their files run one at a
// time (as BullMQ's own suite does) with generous timeouts for real builds.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          environment: 'node',
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          environment: 'node',
          fileParallelism: false,
          testTimeout: 15 * 60_000,
          hookTimeout: 30 * 60_000,
          globalSetup: ['test/integration/global-setup.ts'],
        },
      },
    ],
  },
});
