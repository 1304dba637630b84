import { configure } from '@testing-library/dom';
import { afterEach } from 'vitest';
import { PATIENCE_MS } from '../../../support/patience.js';
import { cleanup } from './render.js';

// findBy*/waitFor wait for a condition; their 1 s default is a wall-clock margin a busy machine can miss.
configure({ asyncUtilTimeout: PATIENCE_MS });

// React 19's development build warns once that classic JSX is "outdated". Classic JSX is what
// keeps one bundle working on React 16 hosts, so that one warning is expected; others pass.
for (const level of ['warn', 'error'] as const) {
  const original = console[level].bind(console);
  console[level] = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].includes('outdated JSX transform')) return;
    original(...args);
  };
}

afterEach(async () => {
  await cleanup();
});
