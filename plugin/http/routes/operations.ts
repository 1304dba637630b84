/** @module Liveness, readiness and Prometheus metrics. */
import { Router } from 'express';
import type { Metrics } from '../../metrics.js';

export interface Readiness {
  readonly ready: boolean;
  readonly reasons: readonly string[];
}

export function operationsRouter(deps: { metrics: Metrics; readiness: () => Readiness }): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', (_req, res) => {
    const { ready, reasons } = deps.readiness();
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not ready', reasons });
  });
  router.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', deps.metrics.registry.contentType);
    res.send(await deps.metrics.registry.metrics());
  });
  return router;
}
