import { defineConfig } from 'vitest/config';
import { uiProjects } from './vitest.ui.config.js';

export default defineConfig({
  test: {
    // Two cores: keep workers to two so that process-level tests are not starved.
    maxWorkers: 2,
    reporters: ['default'],
    projects: [
      {
        test: {
          name: 'node',
          include: ['test/**/*.test.ts'],
          exclude: ['test/browser/**', 'test/contract/ui-bundle.test.ts', 'test/image/**'],
          environment: 'node',
          // Hang guards only: tests wait on conditions (test/support/patience.ts), so these are
          // generous enough for a busy two-core machine.
          testTimeout: 180_000,
          hookTimeout: 180_000,
        },
      },
      ...uiProjects,
    ],
  },
});
