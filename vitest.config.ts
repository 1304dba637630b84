import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Two cores: keep workers to two so that process-level tests are not starved.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
