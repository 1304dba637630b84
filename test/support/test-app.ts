/** The real express app over an in-memory fleet, with its logs captured for assertions. */
import { Writable } from 'node:stream';
import { generateParameters, TemplateCache } from '../../generator/index.js';
import { StaticTokenSource } from '../../plugin/auth/token-source.js';
import { AnswerCache } from '../../plugin/http/answer-cache.js';
import { createApp, type AppDeps } from '../../plugin/http/create-app.js';
import { inventoryReadiness } from '../../plugin/http/routes/operations.js';
import { createLogger } from '../../plugin/logger.js';
import { Metrics } from '../../plugin/metrics.js';
import { InMemoryFleet } from './in-memory-fleet.js';

export const TEST_TOKEN = 'test-token-not-a-secret-0001';

export function captureLogs(): { stream: Writable; lines: () => string[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString('utf8'));
      done();
    },
  });
  return { stream, lines: () => chunks.join('').split('\n').filter((l) => l !== '') };
}

/**
 * The app as main.ts builds it, answer cache and its fast path included (with a long time to
 * live, so that a test sees every answer that can come from the cache come from it); pass
 * `answers: undefined` for express alone.
 */
export function testApp(fleet: InMemoryFleet, overrides: Partial<AppDeps> = {}) {
  const logs = captureLogs();
  const metrics = new Metrics({ defaultMetrics: false });
  const templates = new TemplateCache();
  const app = createApp({
    logger: createLogger('debug', logs.stream),
    metrics,
    tokens: new StaticTokenSource(TEST_TOKEN),
    generate: (request, signal) => generateParameters(request, { inventory: fleet, facts: fleet, templates }, signal),
    inventory: fleet,
    facts: fleet,
    proxySecret: undefined,
    demoUi: false,
    readiness: () => inventoryReadiness(fleet),
    requestDeadlineMs: 2000,
    maxBodyBytes: 4096,
    answers: new AnswerCache(60_000),
    ...overrides,
  });
  return { app, logs, metrics };
}
