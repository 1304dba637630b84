/** Requests to POST /api/v1/getparams.execute the way Argo CD's controller sends them, and a two-cluster fleet to answer them. */
import request from 'supertest';
import { aCluster, blueGreenLabels, fullFacts } from './builders.js';
import { InMemoryFleet } from './in-memory-fleet.js';
import { TEST_TOKEN, type testApp } from './test-app.js';

export const GETPARAMS = '/api/v1/getparams.execute';

/** prod-eu-blue (1.31, weight 100) and prod-eu-green (1.32, weight 0). */
export function blueGreenFleet(): InMemoryFleet {
  return new InMemoryFleet()
    .add(aCluster({ name: 'prod-eu-blue', labels: blueGreenLabels('prod-eu', 'blue'), annotations: { 'greenlight.io/weight': '100' } }), fullFacts('prod-eu-blue', '1.31'))
    .add(aCluster({ name: 'prod-eu-green', labels: blueGreenLabels('prod-eu', 'green'), annotations: { 'greenlight.io/weight': '0' } }), fullFacts('prod-eu-green', '1.32'));
}

/** The controller's exact body: sorted keys, trailing newline. */
export const controllerBody = (parameters?: object) =>
  `${JSON.stringify(parameters === undefined ? { applicationSetName: 'web', input: {} } : { applicationSetName: 'web', input: { parameters } })}\n`;

/** POST with the controller's headers (greenlight's token, application/json), `headers` added or replaced. */
export function post(app: ReturnType<typeof testApp>['app'], body: string, headers: Record<string, string> = {}) {
  return request(app)
    .post(GETPARAMS)
    .set({ Authorization: `Bearer ${TEST_TOKEN}`, 'Content-Type': 'application/json', 'User-Agent': 'argocd-applicationset', ...headers })
    .send(body);
}
