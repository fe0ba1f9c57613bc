import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'shared/chan-analysis/test/**/*.test.ts', 'shared/chan-analysis/src/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // CDK synth and browser tests are heavy; two workers match the 2-core machine.
    maxWorkers: 2,
    // In-process dynalite shares the two cores with Chromium, redis-server and the other worker: production's
    // 1 s / 5 s SDK timeouts are too tight for it under load (functions/store/client.ts).
    env: {
      DYNAMODB_CONNECT_TIMEOUT_MS: '10000',
      DYNAMODB_REQUEST_TIMEOUT_MS: '30000',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  },
});
