/**
 * @module A request id for every request, an access log line and request metrics. The pieces
 * (`requestIdFor`, `recordRequest`) also serve the cached-answer fast path, so that an answer
 * from there is logged and counted exactly as one from express.
 */
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import onHeaders from 'on-headers';
import { FACTS_PATH } from '../../../generator/index.js';
import type { Logger } from '../../logger.js';
import type { Metrics } from '../../metrics.js';
import { GETPARAMS_PATH } from '../routes/getparams.js';

const KNOWN_ROUTES: Readonly<Record<string, string>> = {
  [GETPARAMS_PATH]: 'getparams',
  [FACTS_PATH]: 'facts',
  '/healthz': 'healthz',
  '/readyz': 'readyz',
  '/metrics': 'metrics',
};

export interface RequestRecordDeps {
  /** An accessLogger. */
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/** What one finished request leaves in the access log and the metrics. */
export interface RequestRecord {
  readonly requestId: string;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly started: bigint;
  readonly applicationSetName?: unknown;
  readonly clusters?: unknown;
  readonly cached?: boolean;
  readonly errorCode?: unknown;
  /** The error's message as the caller got it (never a secret: messages are written for operators). */
  readonly errorMessage?: unknown;
}

/**
 * The logger for access log lines, without the redaction pass (4 µs a line, most of the cost of
 * logging a cached answer). Safe by construction: recordRequest writes only the fixed top-level
 * keys below, all with primitive values, none of them a redacted path.
 */
export function accessLogger(logger: Logger): Logger {
  return logger.child({}, { redact: [] });
}

/** The caller's X-Request-Id when it is a plain token, a new UUID otherwise. */
export function requestIdFor(offered: string | string[] | undefined): string {
  return typeof offered === 'string' && /^[A-Za-z0-9._-]{1,128}$/.test(offered) ? offered : randomUUID();
}

export function recordRequest(deps: RequestRecordDeps, r: RequestRecord): void {
  const seconds = Number(process.hrtime.bigint() - r.started) / 1e9;
  const route = KNOWN_ROUTES[r.path] ?? 'other';
  deps.metrics.httpRequests.inc({ route, method: r.method, status: String(r.status) });
  deps.metrics.httpDuration.observe({ route }, seconds);
  if (route === 'getparams' && typeof r.errorCode === 'string') deps.metrics.failures.inc({ code: r.errorCode });
  if (route === 'healthz' || route === 'readyz' || route === 'metrics') return;
  const line = {
    requestId: r.requestId,
    method: r.method,
    path: r.path,
    status: r.status,
    durationMs: Math.round(seconds * 1e4) / 10,
    ...(r.applicationSetName !== undefined ? { applicationSet: r.applicationSetName } : {}),
    ...(r.clusters !== undefined ? { clusters: r.clusters } : {}),
    ...(r.cached === true ? { cached: true } : {}),
    ...(r.errorCode !== undefined ? { code: r.errorCode } : {}),
    ...(r.status >= 400 && typeof r.errorMessage === 'string' ? { error: r.errorMessage } : {}),
  };
  // Levels operators filter on: a request greenlight refused (the caller's to fix) is a warning,
  // one it failed (greenlight's or an upstream's to fix) an error.
  if (r.status >= 500) deps.logger.error(line, 'request failed');
  else if (r.status >= 400) deps.logger.warn(line, 'request refused');
  else deps.logger.info(line, 'request');
}

export function requestContext(deps: RequestRecordDeps & { stopping?: () => boolean }): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const requestId = requestIdFor(req.headers['x-request-id']);
    res.locals['requestId'] = requestId;
    res.setHeader('X-Request-Id', requestId);
    // Argo CD's client keeps connections for 90 s; while stopping, tell it not to reuse this one,
    // so that no request is sent on a connection the process is about to close.
    onHeaders(res, () => {
      if (deps.stopping?.()) res.setHeader('Connection', 'close');
    });
    res.on('finish', () => {
      recordRequest(deps, {
        requestId,
        method: req.method,
        path: req.path,
        status: res.statusCode,
        started,
        applicationSetName: res.locals['applicationSetName'],
        clusters: res.locals['clusters'],
        errorCode: res.locals['errorCode'],
        errorMessage: res.locals['errorMessage'],
      });
    });
    next();
  };
}
