/** @module The composition root: config → adapters → app → listen; graceful stop on SIGTERM. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TemplateCache } from '../generator/index.js';
import { registerCacheGauges } from './cache-stats.js';
import { bindGenerate, openFleet, openTokenSource, type Fleet } from './compose.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { AnswerCache } from './http/answer-cache.js';
import { createApp } from './http/create-app.js';
import { GETPARAMS_PATH } from './http/routes/getparams.js';
import { inventoryReadiness } from './http/routes/operations.js';
import { createLogger } from './logger.js';
import { Metrics } from './metrics.js';
import { openReadinessInputs } from './pairs/inputs.js';
import { ReadinessMetrics } from './pairs/readiness-gauges.js';
import { openGateSources } from './pairs/gate.js';
import { GateEvaluator } from './pairs/gate-evaluation.js';
import { openDriftInputs } from './pairs/drift.js';
import { DriftAudits } from './pairs/drift-audits.js';

function tokenDescription(config: Config): string {
  switch (config.token.kind) {
    case 'file':
      return `the file ${config.token.path} (GREENLIGHT_TOKEN_FILE), re-read when it changes`;
    case 'static':
      return 'GREENLIGHT_TOKEN';
    case 'demo':
      return `the demo token "${config.token.value}" (demo mode only; set GREENLIGHT_TOKEN_FILE for real use)`;
  }
}

async function main(): Promise<void> {
  let config: Config;
  try {
    // The only place besides config.ts that touches the environment.
    config = loadConfig(process.env);
  } catch (err) {
    process.stderr.write(`${err instanceof ConfigError ? err.message : String(err)}\n`);
    process.exit(1);
  }

  const logger = createLogger(config.logLevel);
  const metrics = new Metrics();
  let fleet: Fleet;
  try {
    fleet = await openFleet(config, logger, metrics, { watch: true });
  } catch (err) {
    process.stderr.write(`greenlight cannot start: ${(err as Error).message}\n`);
    process.exit(1);
  }
  const readinessInputs = await openReadinessInputs(config, { logger, demoInventory: fleet.inventory, aws: fleet.aws });
  const driftInputs = config.drift.serviceAudits ? await openDriftInputs(config, fleet, logger.child({ component: 'drift' })) : undefined;
  const drifts = driftInputs
    ? new DriftAudits({ inventory: fleet.inventory, facts: fleet.facts, inputs: driftInputs, config: config.drift, registry: metrics.registry, logger: logger.child({ component: 'drift' }) })
    : undefined;
  // The first round of drift audits starts now: readers never wait for one.
  void drifts?.refresh().catch((err: unknown) => logger.info({ err: (err as Error).message }, 'drift audit: the first round could not start yet; it starts again when a reader asks'));
  const readinessMetrics = new ReadinessMetrics({
    registry: metrics.registry,
    inventory: fleet.inventory,
    facts: fleet.facts,
    ...readinessInputs,
    drift: drifts,
    readinessDataMaxBytes: config.facts.readinessCacheBytes,
    logger: logger.child({ component: 'pair-evaluation' }),
  });
  const gateSources = await openGateSources(config, { connections: fleet.connections, aws: fleet.aws, demoInventory: fleet.inventory, logger: logger.child({ component: 'gate' }) });
  const gates = new GateEvaluator({
    registry: metrics.registry,
    evaluator: readinessMetrics.evaluator,
    inventory: fleet.inventory,
    facts: fleet.facts,
    sources: gateSources,
    logger: logger.child({ component: 'gate' }),
  });
  const answers = new AnswerCache(config.answerCacheMs, config.answerCacheBytes);
  const templates = new TemplateCache(config.templateCacheBytes);
  registerCacheGauges(metrics.registry, { answers, templates, ...fleet.caches, readiness: readinessMetrics.cache, drift: driftInputs?.scanner });
  let tokens: ReturnType<typeof openTokenSource>;
  let proxySecret: ReturnType<typeof openTokenSource> | undefined;
  try {
    // loadConfig checked the files; this only fails if one changed since (a message, not a stack trace).
    tokens = openTokenSource(config.token, logger);
    proxySecret = config.proxySecret && openTokenSource(config.proxySecret, logger, 'GREENLIGHT_PROXY_SECRET');
  } catch (err) {
    process.stderr.write(`greenlight cannot start: ${(err as Error).message}\n`);
    process.exit(1);
  }
  if (!proxySecret) {
    logger.warn('no proxy-extension secret (GREENLIGHT_PROXY_SECRET_FILE): GET /api/v1/facts is off, and the UI shows blue/green parity without the facts diff');
  }
  let stopping = false;
  const app = createApp({
    stopping: () => stopping,
    logger,
    metrics,
    tokens,
    generate: bindGenerate(fleet, templates, config.renderBudgetMs),
    inventory: fleet.inventory,
    facts: fleet.facts,
    verdicts: readinessMetrics.evaluator,
    drifts,
    gates,
    proxySecret,
    demoUi: config.demoUi,
    readiness: () => inventoryReadiness(fleet.inventory),
    answers,
    requestDeadlineMs: config.requestDeadlineMs,
    maxBodyBytes: config.maxBodyBytes,
  });

  const server = createServer(app).listen(config.port, config.host);
  // Argo CD's client allows 30 s per call; keep idle connections a little longer than Go's
  // transport does (90 s) so that reuse does not race a server-side close.
  server.keepAliveTimeout = 95_000;
  server.headersTimeout = 96_000;
  server.on('error', (err) => {
    logger.fatal({ err: err.message }, `cannot listen on ${config.host}:${config.port}`);
    process.exit(1);
  });
  server.on('listening', () => {
    const { port } = server.address() as AddressInfo;
    const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    logger.info({ url, inventory: fleet.description, tokenSource: config.token.kind }, 'greenlight is serving');
    const token = config.token.kind === 'demo' ? config.token.value : '<your token>';
    process.stderr.write(
      [
        '',
        `greenlight is serving ${fleet.description}`,
        `  plugin endpoint  POST ${url}${GETPARAMS_PATH}`,
        `  bearer token     from ${tokenDescription(config)}`,
        `  health           ${url}/healthz  ${url}/readyz  ${url}/metrics`,
        ...(config.demoUi ? [`  demo UI          ${url}/   (greenlight's Argo CD extension on demo Applications)`] : []),
        '  try it:',
        `    curl -s -H 'Authorization: Bearer ${token}' -H 'Content-Type: application/json' \\`,
        `      -d '{"applicationSetName":"demo","input":{"parameters":{"pair":"prod-eu"}}}' ${url}${GETPARAMS_PATH}`,
        '',
      ].join('\n'),
    );
  });

  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping: finishing requests in flight');
    const force = setTimeout(() => {
      logger.warn('grace period over; closing remaining connections');
      server.closeAllConnections();
    }, config.shutdownGraceMs);
    force.unref();
    // Connections that finish their last answer become idle: close them as they do.
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    server.close(() => {
      clearInterval(sweep);
      answers.close();
      tokens.close();
      proxySecret?.close();
      readinessInputs.close();
      driftInputs?.close();
      gateSources.close();
      void fleet.close().finally(() => {
        logger.info('stopped');
        process.exit(0);
      });
    });
    server.closeIdleConnections();
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

void main();
