// Lint rules that keep the architecture honest: import directions (also enforced by the tsconfig
// project references), no process.env outside the entry points, no `any`.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-artifacts/**', 'ui-extension/dist/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      'no-process-env': 'error',
      'no-restricted-imports': 'off',
    },
  },
  {
    files: ['generator/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*', 'fs', 'path', 'http', 'https', 'crypto', 'os'], message: 'the core is pure: no Node modules' },
            { group: ['@aws-sdk/*', '@smithy/*', '@kubernetes/*', 'express', 'pino', 'prom-client'], message: 'the core is pure: SDKs and I/O live in plugin/' },
            { group: ['**/plugin/**', '**/ui-extension/**', '**/test/**'], message: 'the core imports nothing of ours (plugin → generator, never back)' },
          ],
        },
      ],
    },
  },
  {
    // Entry points: the only places that read the environment.
    files: ['plugin/main.ts', 'plugin/config.ts', 'plugin/cli/main.ts', 'test/**/*.ts', 'scripts/**/*.ts', 'bench/**/*.ts'],
    rules: { 'no-process-env': 'off' },
  },
);
