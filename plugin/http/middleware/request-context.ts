/** @module A request id for every request, an access log line and request metrics. */
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import onHeaders from 'on-headers';
import type { Logger } from '../../logger.js';
import type { Metrics } from '../../metrics.js';

const KNOWN_ROUTES: Readonly<Record<string, string>> = {
  '/api/v1/getparams.execute': 'getparams',
  '/api/v1/facts': 'facts',
  '/healthz': 'healthz',
  '/readyz': 'readyz',
  '/metrics': 'metrics',
};

export function requestContext(deps: { logger: Logger; metrics: Metrics; stopping?: () => boolean }): RequestHandler {
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    const offered = req.get('x-request-id');
    const requestId = offered !== undefined && /^[A-Za-z0-9._-]{1,128}$/.test(offered) ? offered : randomUUID();
    res.locals['requestId'] = requestId;
    res.setHeader('X-Request-Id', requestId);
    // Argo CD's client keeps connections for 90 s; while stopping, tell it not to reuse this one,
    // so that no request is sent on a connection the process is about to close.
    onHeaders(res, () => {
      if (deps.stopping?.()) res.setHeader('Connection', 'close');
    });
    const route = KNOWN_ROUTES[req.path] ?? 'other';
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      deps.metrics.httpRequests.inc({ route, method: req.method, status: String(res.statusCode) });
      deps.metrics.httpDuration.observe({ route }, seconds);
      const code = res.locals['errorCode'];
      if (route === 'getparams' && typeof code === 'string') deps.metrics.failures.inc({ code });
      if (route === 'healthz' || route === 'readyz' || route === 'metrics') return;
      const line = {
        requestId,
        method: req.method,
        path: req.path,
        status: res.statusCode,
        durationMs: Math.round(seconds * 1e4) / 10,
        ...(res.locals['applicationSetName'] !== undefined ? { applicationSet: res.locals['applicationSetName'] } : {}),
        ...(res.locals['clusters'] !== undefined ? { clusters: res.locals['clusters'] } : {}),
        ...(res.locals['cached'] === true ? { cached: true } : {}),
        ...(res.locals['errorCode'] !== undefined ? { code: res.locals['errorCode'] } : {}),
      };
      if (res.statusCode >= 500) deps.logger.warn(line, 'request failed');
      else deps.logger.info(line, 'request');
    });
    next();
  };
}
