/**
 * What a newcomer sees after `npm start` on the demo fleet: the page at `/` hosting the bundle
 * the way Argo CD does, with demo Applications, and the facts diff through the demo's proxy into
 * greenlight's own facts route. The app is assembled here as the service mounts it (one
 * `app.use` per router), on the bundled demo fleet.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError } from '../../generator/index.js';
import { FleetFileInventory } from '../../plugin/adapters/fleet-file/fleet-file-inventory.js';
import { StaticTokenSource } from '../../plugin/auth/token-source.js';
import { errorHandler } from '../../plugin/http/error-handler.js';
import { requestContext } from '../../plugin/http/middleware/request-context.js';
import { demoUiRouter } from '../../plugin/http/routes/demo-ui.js';
import { factsRouter } from '../../plugin/http/routes/facts.js';
import { createLogger } from '../../plugin/logger.js';
import { Metrics } from '../../plugin/metrics.js';
import { DEMO_FLEET_PATH } from '../../plugin/paths.js';
import { applicationResourceObjectSchema } from '../../plugin/adapters/argocd/application-source.js';
import { demoApplications } from '../../plugin/adapters/demo/demo-applications.js';
import { launchBrowser, openPage, screenshot, type Browser } from './support/browser.js';
import { hostScript } from './support/world.js';
import { demoPairServices } from '../support/demo-pair-services.js';

function demoApp() {
  const logger = createLogger('silent');
  const inventory = new FleetFileInventory(DEMO_FLEET_PATH, logger, 'the bundled demo fleet').load();
  const proxySecret = new StaticTokenSource('greenlight-demo-proxy-secret');
  const app = express();
  app.use(requestContext({ logger, metrics: new Metrics({ defaultMetrics: false }) }));
  // As main.ts composes them: the pair evaluation, the drift audits and the gates, over the demo's built-in objects and traffic.
  const { verdicts, drifts, gates } = demoPairServices(inventory, async () => demoApplications(inventory.snapshot().clusters, Date.now()).applications.map((a) => applicationResourceObjectSchema.parse(a)));
  const facts = factsRouter({ inventory, facts: inventory, verdicts, drifts, gates, proxySecret, requestDeadlineMs: 5000 });
  app.use(facts);
  app.use(demoUiRouter({ inventory, facts, clusterFacts: inventory }));
  app.use((req) => {
    throw new NotFoundError('GL_ROUTE_NOT_FOUND', `no endpoint ${req.method} ${req.path}`);
  });
  app.use(errorHandler({ logger, maxBodyBytes: 4096 }));
  return app;
}

let browser: Browser;
let server: Server;
let url: string;

beforeAll(async () => {
  await hostScript(19); // fails clearly when the UI is not built
  browser = await launchBrowser();
  server = await new Promise((resolve) => {
    const s = demoApp().listen(0, '127.0.0.1', () => resolve(s));
  });
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  await browser?.close();
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

describe('the demo page of npm start', () => {
  it('serves the host page, the bundle as Argo CD 3.5 wraps it, and an Argo CD-shaped API', async () => {
    const app = demoApp();
    const page = await request(app).get('/');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<base href="/">');
    expect(page.text).toContain('<script defer src="extensions.js"></script>');
    const js = await request(app).get('/extensions.js');
    expect(js.headers['content-type']).toContain('application/javascript');
    expect(js.text).toMatch(/^\/\/ source: \/tmp\/extensions\/extension-greenlight\.js\/extension-greenlight\.js \ntry \{\n/);
    const apps = await request(app).get('/api/v1/applications').query({ selector: 'greenlight.io/app=payments-api' });
    expect(apps.body.items.map((a: { metadata: { name: string } }) => a.metadata.name)).toEqual(['payments-api-prod-eu-blue', 'payments-api-prod-eu-green']);
    const clusters = await request(app).get('/api/v1/clusters');
    expect(clusters.body.items.map((c: { name: string }) => c.name)).toEqual(['prod-eu-blue', 'prod-eu-green']);
    expect(clusters.body.items.map((c: { info?: { serverVersion?: string } }) => c.info?.serverVersion)).toEqual(['1.31+', '1.32+']);
    // Argo CD records the manifests' versions in status.resources: reports still has a FlowSchema green no longer serves.
    const reports = await request(app).get('/api/v1/applications').query({ selector: 'greenlight.io/app=reports' });
    expect(reports.body.items[0].status.resources).toContainEqual({ group: 'flowcontrol.apiserver.k8s.io', version: 'v1beta3', kind: 'FlowSchema', name: 'reports-batch' });
  });

  it("validates the proxy's headers like Argo CD and reaches greenlight's facts with the secret", async () => {
    const app = demoApp();
    const missing = await request(app).get('/extensions/greenlight/api/v1/facts');
    expect(missing.status).toBe(400);
    expect(missing.text).toBe('Invalid headers: header "Argocd-Application-Name" must be provided\n');
    const wrongProject = await request(app).get('/extensions/greenlight/api/v1/facts').set({ 'Argocd-Application-Name': 'argocd:web-prod-eu-green', 'Argocd-Project-Name': 'other' });
    expect(wrongProject.status).toBe(401);
    const other = await request(app).get('/extensions/metrics/api/v1/facts').set({ 'Argocd-Application-Name': 'argocd:web-prod-eu-green', 'Argocd-Project-Name': 'default' });
    expect(other.status).toBe(404);
    const ok = await request(app)
      .get('/extensions/greenlight/api/v1/facts')
      .set({ 'Argocd-Application-Name': 'argocd:web-prod-eu-green', 'Argocd-Project-Name': 'default', 'Greenlight-Proxy-Secret': 'forged', Cookie: 'argocd.token=x' });
    expect(ok.status).toBe(200);
    expect(ok.body.cluster).toBe('prod-eu-green');
    expect(ok.body.comparisons[0].differences.filter((d: { expected: boolean }) => !d.expected)).toHaveLength(7);
    // Without the proxy, the facts route refuses.
    expect((await request(app).get('/api/v1/facts')).status).toBe(401);
  });

  it('lets a newcomer click from the application list to the Parity view and the Blue/Green page', async () => {
    const { page, errors } = await openPage(browser);
    await page.goto(url);
    await page.getByRole('link', { name: 'payments-api-prod-eu-green' }).click();
    await expect.poll(() => page.locator('[data-greenlight-status="ready"]').textContent()).toContain('1/2 at parity');
    await page.getByRole('tablist').getByRole('button', { name: 'Parity' }).click();
    await page.locator('h3', { hasText: 'payments-api: 1/2 at parity' }).waitFor();
    await page.getByRole('list', { name: 'unexpected differences' }).locator('[data-subject="podidentity:payments/payments-api"]').waitFor();
    await page.getByRole('list', { name: 'blockers' }).locator('[data-subject="podidentity:payments/payments-api"]').waitFor();
    await screenshot(page, 'demo-page-parity');
    await page.getByRole('navigation', { name: 'main' }).getByRole('link', { name: 'Blue/Green' }).click();
    await page.getByText('Blue/Green parity').waitFor();
    await page.locator('.greenlight-readiness-line[data-pair="prod-eu"]').getByText('5 blockers').waitFor();
    await screenshot(page, 'demo-page-fleet');
    expect(errors, errors.join('\n')).toEqual([]);
    await page.close();
  });
});
