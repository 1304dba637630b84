/**
 * The UI extension's test projects:
 * - `ui-react19`, `ui-react16`: the component tests (`test/unit/ui-extension/**\/*.test.tsx`) run
 *   twice in jsdom, against React 19 (Argo CD 3.5+) and React 16.14 (Argo CD 3.4 and older,
 *   installed apart in test/hosts/react16). JSX compiles the classic way, as in the bundle.
 * - `ui-contract`: the built bundle loaded as Argo CD loads it (node + jsdom).
 * - `ui-browser`: headless Chromium (/usr/bin/chromium) against a local Argo CD stand-in and the
 *   real facts route; screenshots in test-artifacts/browser/.
 * The last two need the built bundle: `npm run build:ui` first.
 *
 *   npx vitest run --config vitest.ui.config.ts [--project ui-browser]
 *
 * The root vitest.config.ts can include them with `projects: [nodeProject, ...uiProjects]`.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));
const react16 = here('./test/hosts/react16/node_modules/');

const component = {
  include: ['test/unit/ui-extension/**/*.test.tsx'],
  environment: 'jsdom',
  setupFiles: ['test/unit/ui-extension/support/setup.tsx'],
  testTimeout: 60_000,
};

const classicJsx = { jsx: { runtime: 'classic' as const } };

export const uiProjects: TestProjectInlineConfiguration[] = [
  {
    oxc: classicJsx,
    test: { ...component, name: 'ui-react19' },
  },
  {
    oxc: classicJsx,
    resolve: {
      alias: [
        { find: /^react-dom\/client$/, replacement: here('./test/unit/ui-extension/support/no-create-root.ts') },
        { find: /^react-dom\/test-utils$/, replacement: `${react16}react-dom/test-utils.js` },
        { find: /^react-dom$/, replacement: `${react16}react-dom/index.js` },
        { find: /^react$/, replacement: `${react16}react/index.js` },
      ],
    },
    test: { ...component, name: 'ui-react16' },
  },
  {
    test: { name: 'ui-contract', include: ['test/contract/ui-bundle.test.ts'], environment: 'node', testTimeout: 120_000 },
  },
  {
    test: { name: 'ui-browser', include: ['test/browser/**/*.test.ts'], environment: 'node', testTimeout: 240_000, hookTimeout: 240_000 },
  },
];

export default defineConfig({
  test: {
    maxWorkers: 2,
    projects: uiProjects,
  },
});
