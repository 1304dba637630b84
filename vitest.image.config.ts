/**
 * `npm run test:image`: builds the Dockerfile and runs the image (test/image/). Needs a running
 * Docker daemon and fails without one; kept out of `npm test` (vitest.config.ts), which does not
 * need docker.
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'image',
    include: ['test/image/**/*.test.ts'],
    environment: 'node',
    reporters: ['default'],
    // Hang guards only (tests wait on conditions): a first build runs `npm ci` in the build stage.
    testTimeout: 300_000,
    hookTimeout: 1_200_000,
  },
});
