/** GET /api/v1/facts for an Application whose destination cluster just left the inventory: 503 GL_CLUSTER_LEAVING, not 404. */
import express from 'express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { StaticTokenSource } from '../../plugin/auth/token-source.js';
import { errorHandler } from '../../plugin/http/error-handler.js';
import { requestContext } from '../../plugin/http/middleware/request-context.js';
import { FACTS_PATH, factsRouter, PROXY_SECRET_HEADER } from '../../plugin/http/routes/facts.js';
import { createLogger } from '../../plugin/logger.js';
import { Metrics } from '../../plugin/metrics.js';
import { RemovalGrace } from '../../plugin/removal-grace.js';
import { aCluster, blueGreenLabels, fullFacts } from '../support/builders.js';
import { InMemoryFleet } from '../support/in-memory-fleet.js';

const SECRET = 'proxy-secret-not-a-secret-0002';
const T0 = Date.parse('2026-11-26T08:00:00.000Z');
const GREEN_URL = 'https://PRODEUGREEN.gr7.eu-west-1.eks.amazonaws.com';

function setUp() {
  const fleet = new InMemoryFleet()
    .add(aCluster({ name: 'prod-eu-blue', labels: blueGreenLabels('prod-eu', 'blue') }), fullFacts('prod-eu-blue', '1.31'))
    .add(aCluster({ name: 'prod-eu-green', labels: blueGreenLabels('prod-eu', 'green') }), fullFacts('prod-eu-green', '1.32'));
  const clock = { now: T0 };
  const inventory = new RemovalGrace(fleet, { graceMs: 120_000, logger: createLogger('silent'), now: () => clock.now });
  inventory.snapshot();
  const logger = createLogger('silent');
  const app = express();
  app.use(requestContext({ logger, metrics: new Metrics({ defaultMetrics: false }) }));
  app.use(factsRouter({ inventory, facts: fleet, proxySecret: new StaticTokenSource(SECRET), requestDeadlineMs: 1000 }));
  app.use(errorHandler({ logger, maxBodyBytes: 4096 }));
  return { app, fleet, clock };
}

const headers = (destination: Record<string, string>) => ({
  [PROXY_SECRET_HEADER]: SECRET,
  'Argocd-Application-Name': 'argocd:web-green',
  'Argocd-Project-Name': 'default',
  ...destination,
});

describe('GET /api/v1/facts and the removal grace', () => {
  it('answers 503 GL_CLUSTER_LEAVING for a destination that left, by URL or name, until the grace is over; then 404', async () => {
    const { app, fleet, clock } = setUp();
    fleet.clusters = fleet.clusters.filter((c) => c.name !== 'prod-eu-green');
    clock.now = T0 + 1000;
    for (const destination of [{ 'Argocd-Target-Cluster-URL': `${GREEN_URL}/` }, { 'Argocd-Target-Cluster-Name': 'prod-eu-green' }]) {
      const res = await request(app).get(FACTS_PATH).set(headers(destination));
      expect(res.status).toBe(503);
      expect(res.body.code).toBe('GL_CLUSTER_LEAVING');
      expect(res.body.message).toContain('cluster "prod-eu-green" (test fleet (cluster prod-eu-green); gone since 2026-11-26T08:00:01.000Z, dropped at 2026-11-26T08:02:01.000Z)');
      expect(res.body.message).toContain('may be selected by the destination of Application argocd:web-green');
    }
    clock.now = T0 + 1000 + 120_000;
    const res = await request(app).get(FACTS_PATH).set(headers({ 'Argocd-Target-Cluster-Name': 'prod-eu-green' }));
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('GL_CLUSTER_NOT_FOUND');
  });
});
