/**
 * The UI bundle in headless Chromium, hosted the way Argo CD hosts it (under /argocd/, React 19
 * with createRoot, extensions.js wrapped in try {}), with Argo CD's API and proxy extension
 * served locally and the real greenlight facts route behind the proxy. Screenshots go to
 * test-artifacts/browser/.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROXY_SECRET_HEADER } from '../../plugin/http/routes/facts.js';
import { launchBrowser, openPage, screenshot, screenshotOf, type Browser } from './support/browser.js';
import { identifierPiecesSplit } from './support/layout.js';
import { PROXY_SECRET, startWorld, signIn, type World } from './support/world.js';

let browser: Browser;
let world: World;

beforeAll(async () => {
  browser = await launchBrowser();
  world = await startWorld({ react: 19 });
  await signIn(browser, world);
});

afterAll(async () => {
  await browser?.close();
  await world?.close();
});

const appUrl = (name: string, query = '') => `${world.argocd.url}applications/argocd/${name}${query}`;

async function parityView(page: Page, name: string, query = '?view=Parity') {
  await page.goto(appUrl(name, query));
  await page.locator('[data-greenlight-view="parity"]').first().waitFor();
}

/** Relative luminance of a CSS rgb() colour, 0 (black) to 1 (white). */
function luminance(rgb: string): number {
  const [r = 0, g = 0, b = 0] = (rgb.match(/\d+(\.\d+)?/g) ?? []).map(Number).map((v) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

describe('Argo CD 3.5 host (React 19), under a sub-path', () => {
  it('shows the status-panel item and opens the Parity flyout', async () => {
    const { page, errors } = await openPage(browser);
    await page.goto(appUrl('payments-api-prod-eu-green'));
    const item = page.locator('[data-greenlight-status="ready"]');
    await expect.poll(() => item.textContent()).toContain('1/2 at parity');
    await item.getByRole('button').click();
    const flyout = page.getByRole('dialog', { name: 'Blue/Green' });
    await flyout.locator('h3', { hasText: 'payments-api: 1/2 at parity' }).waitFor();
    await flyout.getByText('health is Degraded', { exact: false }).first().waitFor();
    // The flyout is the Parity view: the pair's readiness, with the blockers that concern payments-api.
    const readiness = flyout.locator('[data-greenlight-readiness="judged"] [data-green="prod-eu-green"]');
    await readiness.getByText('2 blockers', { exact: true }).waitFor();
    await readiness.getByRole('list', { name: 'blockers' }).locator('[data-subject="podidentity:payments/payments-api"]').waitFor();
    await screenshot(page, 'status-panel-flyout');
    await page.goto(appUrl('checkout-prod-eu-green'));
    await expect.poll(() => page.locator('[data-greenlight-status="ready"]').textContent()).toContain('green: converged');
    expect(errors, errors.join('\n')).toEqual([]);
    await page.close();
  });

  it('shows every cluster of the family with a verdict, and the facts diff through the proxy', async () => {
    const { page, errors } = await openPage(browser);
    await parityView(page, 'payments-api-prod-eu-green');
    await page.locator('h3', { hasText: 'payments-api: 1/2 at parity' }).waitFor();
    const green = page.locator('tr[data-cluster="prod-eu-green"]');
    expect(await green.getAttribute('data-verdict')).toBe('unhealthy');
    expect(await page.locator('tr[data-cluster="prod-eu-blue"]').getAttribute('data-verdict')).toBe('baseline');
    await page.getByText('Facts: prod-eu-blue vs prod-eu-green').waitFor();
    const unexpected = page.getByRole('list', { name: 'unexpected differences' });
    await unexpected.locator('[data-subject="podidentity:payments/payments-api"]').waitFor();
    await unexpected.locator('[data-subject="ssm:payments/stripe-api-key"]').waitFor();
    await page.locator('summary', { hasText: 'Expected differences (12)' }).click();
    await page.getByRole('list', { name: 'expected differences' }).locator('[data-subject="eks.oidcIssuer"]').waitFor();
    await screenshot(page, 'parity-view-light');

    // What Argo CD's proxy sent to greenlight: the shared secret, the destination, no cookie.
    const sent = world.argocd.forwarded.find((f) => f.path === '/api/v1/facts');
    expect(sent?.headers[PROXY_SECRET_HEADER.toLowerCase()]).toBe(PROXY_SECRET);
    expect(sent?.headers['argocd-application-name']).toBe('argocd:payments-api-prod-eu-green');
    expect(sent?.headers['argocd-target-cluster-url']).toBe('https://0F9E8D7C6B5A4F3E2D1C0B9A8F7E6D5C.gr7.eu-west-1.eks.amazonaws.com');
    expect(sent?.headers['cookie']).toBeUndefined();
    // Argo CD's API was called under the sub-path, with the fields filter.
    const list = world.argocd.requests.find((r) => r.path.startsWith('/argocd/api/v1/applications?'));
    expect(list?.path).toContain('fields=');
    expect(list?.status).toBe(200);

    // A link to another cluster's Application stays under the sub-path.
    await page.locator('tr[data-cluster="prod-eu-blue"] a').click();
    await page.waitForURL(`${world.argocd.url}applications/argocd/payments-api-prod-eu-blue`);
    expect(errors, errors.join('\n')).toEqual([]);
    await page.close();
  });

  it("shows the pair's readiness with the demo's blockers, each with what to do, in light and dark", async () => {
    const { page, errors } = await openPage(browser);
    await parityView(page, 'reports-prod-eu-blue');
    const section = page.locator('[data-greenlight-readiness="judged"]');
    const verdict = section.locator('[data-green="prod-eu-green"]');
    await verdict.getByText('3 blockers', { exact: true }).waitFor();
    expect(await verdict.getAttribute('data-ready')).toBe('false');
    // Only reports' own findings (its removed APIs and the EBS-bound claim of its database): payments-api's
    // SSM key and Pod Identity, and the drift in other apps' namespaces, are counted, not listed.
    const blockers = verdict.getByRole('list', { name: 'blockers' });
    expect(await blockers.locator('li').evaluateAll((items) => items.map((li) => li.getAttribute('data-subject')))).toEqual([
      'argocd/reports-prod-eu-blue: flowcontrol.apiserver.k8s.io/v1beta3 FlowSchema reports-batch',
      'argocd/reports-prod-eu-blue: flowcontrol.apiserver.k8s.io/v1beta3 PriorityLevelConfiguration reports-batch',
      'drift:prod-eu-blue/PersistentVolumeClaim/reports/data-reports-db-0',
    ]);
    await verdict
      .locator('[data-pair-counts]')
      .getByText('(3 blockers for reports, 1 warning pair-wide, 2 blockers, 2 warnings for other apps, shown in their own views)', { exact: false })
      .waitFor();
    expect(await verdict.locator('[data-pair-counts]').getAttribute('data-pair-counts')).toBe('5/3');
    const flowSchema = blockers.locator('[data-kind="removed-api"]').first();
    await flowSchema.getByText('which Kubernetes 1.32 stopped serving; prod-eu-green runs 1.32 and rejects it. Move the manifest to flowcontrol.apiserver.k8s.io/v1', { exact: false }).waitFor();
    expect(await verdict.locator('[data-check="removed-apis"]').getAttribute('data-outcome')).toBe('blockers');
    // The service's own checks: without EKS (a fleet file), add-on support is skipped, saying why.
    expect(await verdict.locator('[data-check="addon-support"]').getAttribute('data-outcome')).toBe('skipped');
    // The same facts answer feeds the readiness and the facts diff: one call through the proxy.
    await page.getByText('Facts: prod-eu-blue vs prod-eu-green').waitFor();
    expect(world.argocd.forwarded.filter((f) => f.path === '/api/v1/facts' && f.headers['argocd-application-name'] === 'argocd:reports-prod-eu-blue')).toHaveLength(1);
    await screenshot(page, 'readiness-view-light');
    await screenshotOf(section, 'readiness-light');

    await parityView(page, 'reports-prod-eu-blue', '?view=Parity&theme=dark');
    await page.locator('[data-greenlight-readiness="judged"] [data-green="prod-eu-green"]').getByText('3 blockers', { exact: true }).waitFor();
    const colours = await page.locator('[data-kind="removed-api"]').first().evaluate((el) => ({ background: getComputedStyle(el).backgroundColor, color: getComputedStyle(el).color }));
    expect(luminance(colours.background)).toBeLessThan(0.05);
    expect(luminance(colours.color)).toBeGreaterThan(0.6);
    await screenshotOf(page.locator('[data-greenlight-readiness="judged"]'), 'readiness-dark');
    await screenshot(page, 'readiness-view-dark');
    expect(errors, errors.join('\n')).toEqual([]);
    await page.close();
  });

  it('keeps the verdict on screen at 1024 px, and wraps identifiers only at their separators', async () => {
    const { page, errors } = await openPage(browser);
    await page.setViewportSize({ width: 1024, height: 800 });
    await parityView(page, 'payments-api-prod-eu-green');
    const verdict = page.locator('tr[data-cluster="prod-eu-green"] td').last();
    await verdict.getByText('unhealthy').waitFor();
    await screenshot(page, 'parity-view-1024');
    const box = await verdict.boundingBox();
    expect(box, 'the verdict cell is laid out').not.toBeNull();
    expect((box?.x ?? Infinity) + (box?.width ?? 0)).toBeLessThanOrEqual(1024);
    // A piece of an identifier (between separators) never spans two lines.
    expect(await identifierPiecesSplit(page)).toEqual([]);
    expect(errors, errors.join('\n')).toEqual([]);
    await page.close();
  });

  it('is readable under the dark theme', async () => {
    const { page, errors } = await openPage(browser);
    await parityView(page, 'web-prod-eu-green', '?view=Parity&theme=dark');
    await page.getByText('Facts: prod-eu-blue vs prod-eu-green').waitFor();
    const colours = await page.locator('[data-greenlight-view="parity"]').evaluate((el) => {
      const style = getComputedStyle(el);
      const badge = el.querySelector('.greenlight-tone--ok');
      return { color: style.color, background: style.backgroundColor, badge: badge ? getComputedStyle(badge).color : '' };
    });
    expect(luminance(colours.background)).toBeLessThan(0.05);
    expect(luminance(colours.color)).toBeGreaterThan(0.6);
    expect(luminance(colours.badge)).toBeGreaterThan(0.3);
    await screenshot(page, 'parity-view-dark');
    expect(errors, errors.join('\n')).toEqual([]);
    await page.close();
  });

  it('explains how to add the label on an app without a family', async () => {
    const { page, errors } = await openPage(browser);
    await parityView(page, 'legacy-cron-prod-eu-blue');
    await page.getByText('legacy-cron-prod-eu-blue has no app family').waitFor();
    await page.getByText('greenlight.io/app: <app name, the same on every cluster>').waitFor();
    await screenshot(page, 'empty-state');
    expect(errors, errors.join('\n')).toEqual([]);
    await page.close();
  });

  it('shows loading, then an error with a retry that recovers', async () => {
    const { page, errors } = await openPage(browser);
    const clusterCalls = () => world.argocd.requests.filter((r) => r.path.includes('/api/v1/clusters')).length;
    const before = clusterCalls();
    const release = world.argocd.hold('api/v1/clusters');
    // The status-panel item and the view share one load of the clusters: it fails once, for both.
    const etcd = { status: 500, body: '{"error":"etcdserver: request timed out","code":14,"message":"etcdserver: request timed out"}' };
    world.argocd.failNext('api/v1/clusters', etcd);
    await parityView(page, 'web-prod-eu-green');
    const view = page.locator('[data-greenlight-view="parity"]');
    await view.getByText('Loading this app on every cluster…').waitFor();
    await screenshot(page, 'loading');
    release();
    const alert = view.getByRole('alert');
    await alert.getByText("Argo CD's clusters API answered 500: etcdserver: request timed out").waitFor();
    await page.locator('[data-greenlight-status="error"]').getByText('parity unknown').waitFor();
    await screenshot(page, 'error-retry');
    expect(clusterCalls() - before).toBe(1);
    await alert.getByRole('button', { name: 'Retry' }).click();
    await page.locator('h3', { hasText: 'web: 1/2 at parity' }).waitFor();
    // The browser logs the failed requests itself; nothing else went wrong.
    expect(errors.filter((e) => !e.includes('500'))).toEqual([]);
    await page.close();
  });

  it('says how to set up the proxy extension where it is not, and the rest still works', async () => {
    const { page } = await openPage(browser);
    const { options } = world.argocd;
    try {
      options.proxyEnabled = false;
      await parityView(page, 'checkout-prod-eu-green');
      await page.locator('[data-facts-problem="proxy-disabled"]').waitFor();
      await page.locator('[data-readiness-problem="proxy-disabled"]').getByText('Readiness needs the facts of this cluster pair', { exact: false }).waitFor();
      await page.locator('h3', { hasText: 'checkout: 2/2 at parity' }).waitFor();
      await screenshot(page, 'proxy-disabled');

      options.proxyEnabled = true;
      const saved = options.extensions['greenlight'];
      delete options.extensions['greenlight'];
      await page.reload();
      await page.locator('[data-facts-problem="extension-not-configured"]').waitFor();
      if (saved) options.extensions['greenlight'] = saved;

      options.allowInvoke = false;
      await page.reload();
      await page.locator('[data-facts-problem="not-authorized"]').waitFor();
    } finally {
      options.proxyEnabled = true;
      options.allowInvoke = true;
      await page.close();
    }
  });

  it('registers the Blue/Green page after the app shell rendered, and it loads', async () => {
    const { page, errors } = await openPage(browser);
    await page.goto(`${world.argocd.url}applications`);
    const link = page.getByRole('navigation', { name: 'main' }).getByRole('link', { name: 'Blue/Green' });
    await link.waitFor();
    const calls = await page.evaluate(() => (window as unknown as { greenlightDemoHost: { calls: string[] } }).greenlightDemoHost.calls);
    expect(calls).toEqual(['appView:Parity', 'statusPanel:Blue/Green', 'systemLevel:Blue/Green:delivered']);
    await link.click();
    await page.getByText('Blue/Green parity').waitFor();
    expect(await page.locator('[data-count="families"] .greenlight-count__value').textContent()).toBe('7');
    // The service's verdict, asked through the pair's first Application: the counts of every app's view.
    const line = page.locator('.greenlight-readiness-line[data-pair="prod-eu"][data-readiness="judged"]');
    await line.getByText('5 blockers').waitFor();
    expect(await line.getAttribute('data-pair-counts')).toBe('5/3');
    await line.getByText("7 findings about single apps, shown in each app's Parity view", { exact: false }).waitFor();
    await screenshot(page, 'fleet-demo');
    expect(errors, errors.join('\n')).toEqual([]);
    await page.close();
  });
});

describe('Argo CD 3.4 host (React 16.14)', () => {
  let old: World;
  beforeAll(async () => {
    old = await startWorld({ react: 16 });
    await signIn(browser, old);
  });
  afterAll(async () => {
    await old?.close();
  });

  it('runs the same bundle: app view, status panel, flyout and the Blue/Green page', async () => {
    const { page, errors } = await openPage(browser);
    await page.goto(`${old.argocd.url}applications/argocd/web-prod-eu-green?view=Parity`);
    expect(await page.evaluate(() => (window as unknown as { React: { version: string } }).React.version)).toBe('16.14.0');
    await page.locator('h3', { hasText: 'web: 1/2 at parity' }).waitFor();
    expect(await page.locator('tr[data-cluster="prod-eu-green"]').getAttribute('data-verdict')).toBe('out-of-sync');
    await page.getByText('Facts: prod-eu-blue vs prod-eu-green').waitFor();
    // Nothing of web's own blocks it (its hotfixed ConfigMap is a warning); the pair's five blockers are other apps'.
    await page.locator('[data-greenlight-readiness="judged"] [data-green="prod-eu-green"][data-ready="true"]').locator('[data-pair-counts="5/3"]').waitFor();
    await expect.poll(() => page.locator('[data-greenlight-status="ready"]').textContent()).toContain('1/2 at parity');
    await screenshot(page, 'react16-parity-view');
    await page.getByRole('navigation', { name: 'main' }).getByRole('link', { name: 'Blue/Green' }).click();
    await page.getByText('Blue/Green parity').waitFor();
    expect(errors, errors.join('\n')).toEqual([]);
    await page.close();
  });
});
