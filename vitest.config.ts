import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'shared/chan-analysis/test/**/*.test.ts', 'shared/chan-analysis/src/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // CDK synth and browser tests are heavy; two workers match the 2-core machine.
    maxWorkers: 2,
  },
});
