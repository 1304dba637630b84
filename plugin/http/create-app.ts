/**
 * @module `createApp(deps)`: greenlight's HTTP handler, built from injected parts: the express
 * app, behind the fast path for cached getparams answers. It never listens.
 */
import type { RequestListener } from 'node:http';
import express from 'express';
import { NotFoundError, type ClusterFactsProvider, type ClusterInventory } from '../../generator/index.js';
import type { TokenSource } from '../auth/token-source.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { AnswerCache } from './answer-cache.js';
import { serveCachedAnswers } from './cached-answers.js';
import { errorHandler } from './error-handler.js';
import { accessLogger, requestContext } from './middleware/request-context.js';
import { demoUiRouter } from './routes/demo-ui.js';
import { factsRouter, type FactsRouteDeps } from './routes/facts.js';
import { getparamsRouter, type Generate } from './routes/getparams.js';
import { operationsRouter, type Readiness } from './routes/operations.js';

export interface AppDeps {
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly tokens: TokenSource;
  readonly generate: Generate;
  /** For the UI's facts endpoint (GET /api/v1/facts). */
  readonly inventory: ClusterInventory;
  readonly facts: ClusterFactsProvider;
  /** The fleet's pair evaluation, for the pair's verdict in the facts answer. */
  readonly verdicts?: FactsRouteDeps['verdicts'];
  readonly drifts?: FactsRouteDeps['drifts'];
  readonly gates?: FactsRouteDeps['gates'];
  /** The proxy extension's shared secret; `undefined` turns GET /api/v1/facts off (it says how to turn it on). */
  readonly proxySecret: TokenSource | undefined;
  /** Serve the demo page at `/` (demo fleet only). */
  readonly demoUi: boolean;
  readonly readiness: () => Readiness;
  readonly requestDeadlineMs: number;
  readonly maxBodyBytes: number;
  /** Recent complete getparams answers by request bytes; none when absent. */
  readonly answers?: AnswerCache | undefined;
  /** True once the process is stopping: answers then close their connection. */
  readonly stopping?: () => boolean;
}

export function createApp(deps: AppDeps): RequestListener {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // Argo CD's controller follows redirects and drops the body on 301/302; never redirect.
  app.set('strict routing', true);
  const access = { ...deps, logger: accessLogger(deps.logger) };
  app.use(requestContext(access));
  app.use(operationsRouter(deps));
  app.use(getparamsRouter(deps));
  const facts = factsRouter(deps);
  app.use(facts);
  if (deps.demoUi && deps.proxySecret) app.use(demoUiRouter({ inventory: deps.inventory, facts, clusterFacts: deps.facts }));
  app.use((req) => {
    throw new NotFoundError('GL_ROUTE_NOT_FOUND', `no endpoint ${req.method} ${req.path.slice(0, 200)}; Argo CD calls POST /api/v1/getparams.execute (the plugin ConfigMap's baseUrl must be greenlight's root URL)`);
  });
  app.use(errorHandler(deps));
  return deps.answers ? serveCachedAnswers({ ...access, answers: deps.answers }, app) : app;
}
