/** @module Liveness, readiness and Prometheus metrics. */
import { Router } from 'express';
import { GreenlightError, type ClusterInventory } from '../../../generator/index.js';
import type { Metrics } from '../../metrics.js';

export interface Readiness {
  readonly ready: boolean;
  readonly reasons: readonly string[];
}

/**
 * Ready while the inventory answers: loaded, and (Argo CD Secrets) listed or watched within
 * GREENLIGHT_INVENTORY_MAX_STALENESS_MS. A frozen, failing or invalid inventory (a fleet file
 * that no longer parses) makes `/readyz` answer 503 with the inventory's own reason (the file,
 * the line, what to do), as every getparams request would.
 */
export function inventoryReadiness(inventory: ClusterInventory): Readiness {
  try {
    inventory.snapshot();
  } catch (err) {
    const reason = err instanceof GreenlightError ? `${err.code}: ${err.message}` : 'the cluster inventory cannot be read (see logs)';
    return { ready: false, reasons: [reason] };
  }
  if (!inventory.isReady()) return { ready: false, reasons: ['the cluster inventory is not loaded yet'] };
  return { ready: true, reasons: [] };
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
