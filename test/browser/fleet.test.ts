/**
 * The system-level "Blue/Green" page with 2,000 families (4,000 Applications less the ones
 * missing on green) in headless Chromium, through the fake Argo CD's list API with its `fields`
 * filter. Time to content is measured and printed; only a generous bound is asserted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArgoApplication } from '../../generator/index.js';
import { launchBrowser, openPage, screenshot, type Browser } from './support/browser.js';
import { startGreenlight, startWorld, signIn, type World } from './support/world.js';

const FAMILIES = 2000;
const REV = '4f1c9e2a7b3d5c6e8f9a0b1c2d3e4f5a6b7c8d9e';
const OLD_REV = '0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b';

/**
 * 2,000 families on the demo pair: most at parity, some missing, degraded, out of sync or behind
 * on green. Each Application manages a few resources; every 100th family's blue app still has a
 * flowcontrol v1beta3 FlowSchema, which green (1.32) no longer serves.
 */
function fleetOf(blue: string, green: string): ArgoApplication[] {
  const apps: ArgoApplication[] = [];
  const one = (name: string, family: string, server: string, o: { sync?: string; health?: string; revision?: string; flowSchema?: boolean } = {}): ArgoApplication => ({
    metadata: { name, namespace: 'argocd', labels: { 'greenlight.io/app': family, team: `team-${family.length % 5}` } },
    spec: { project: 'default', source: { repoURL: 'https://github.com/example/services.git', path: `services/${family}`, targetRevision: 'main' }, destination: { server, namespace: family } },
    status: {
      sync: { status: o.sync ?? 'Synced', revision: o.revision ?? REV },
      health: { status: o.health ?? 'Healthy' },
      summary: { images: [`ghcr.io/example/${family}:1.${family.length}.0`, 'docker.io/library/nginx:1.27'] },
      operationState: { phase: 'Succeeded', startedAt: '2026-11-26T07:50:00Z', finishedAt: '2026-11-26T07:51:00Z', operation: { sync: { revision: o.revision ?? REV } }, syncResult: { revision: o.revision ?? REV } },
      resources: [
        { group: 'apps', version: 'v1', kind: 'Deployment', namespace: family, name: family },
        { group: '', version: 'v1', kind: 'Service', namespace: family, name: family },
        { group: '', version: 'v1', kind: 'ConfigMap', namespace: family, name: `${family}-config` },
        { group: 'networking.k8s.io', version: 'v1', kind: 'Ingress', namespace: family, name: family },
        ...(o.flowSchema ? [{ group: 'flowcontrol.apiserver.k8s.io', version: 'v1beta3', kind: 'FlowSchema', name: family }] : []),
      ],
    },
  });
  for (let i = 0; i < FAMILIES; i++) {
    const family = `svc-${String(i).padStart(4, '0')}`;
    apps.push(one(`${family}-blue`, family, blue, i % 100 === 0 ? { flowSchema: true } : {}));
    if (i % 17 === 0) continue;
    apps.push(
      one(`${family}-green`, family, green, {
        ...(i % 13 === 0 ? { health: 'Degraded' } : {}),
        ...(i % 10 === 0 ? { sync: 'OutOfSync' } : {}),
        ...(i % 7 === 0 ? { revision: OLD_REV } : {}),
      }),
    );
  }
  return apps;
}

let browser: Browser;
let world: World;

beforeAll(async () => {
  browser = await launchBrowser();
  const probe = await startGreenlight();
  const [blue, green] = probe.inventory.snapshot().clusters;
  await probe.close();
  if (!blue || !green) throw new Error('the demo fleet has no blue/green pair');
  world = await startWorld({ react: 19, applications: fleetOf(blue.server, green.server), applicationSets: [] });
  await signIn(browser, world);
});

afterAll(async () => {
  await browser?.close();
  await world?.close();
});

describe('the Blue/Green page with 2,000 families', () => {
  it('shows counts, filters, search and pages (time to content is printed; npm run bench judges it)', async () => {
    const { page, errors } = await openPage(browser);
    const started = Date.now();
    await page.goto(`${world.argocd.url}greenlight`);
    const families = page.locator('[data-count="families"] .greenlight-count__value');
    await families.waitFor();
    const timeToContent = Date.now() - started;
    const list = world.argocd.requests.find((r) => r.path.startsWith('/argocd/api/v1/applications?'));
    console.log(`fleet page: ${world.applications.length} Applications in ${FAMILIES} families, time to content ${timeToContent} ms`);
    expect(list?.path).toContain('fields=');

    expect(await families.textContent()).toBe('2,000');
    const count = (label: string) => page.locator(`[data-count="${label}"] .greenlight-count__value`).textContent();
    // Green is missing for i % 17 == 0 (118 families); the rest of the not-at-parity families
    // are degraded (i % 13), out of sync (i % 10) or behind (i % 7) on green.
    expect(await count('missing')).toBe('118');
    const notAtParity = Number((await count('not at parity'))?.replace(',', ''));
    expect(notAtParity).toBeGreaterThan(118);
    expect(await count('at parity')).toBe((FAMILIES - notAtParity).toLocaleString('en-US'));
    expect(await page.locator('tbody tr').count()).toBe(100);
    // The pair's verdict from the service: 20 FlowSchemas in 4,000 Applications' resources, the
    // demo fleet's SSM key and Pod Identity association that green lacks, and its drift (an
    // EBS-bound claim blocks; three objects made or changed outside Git are warnings).
    const line = page.locator('.greenlight-readiness-line[data-pair="prod-eu"][data-readiness="judged"]');
    await line.getByText('23 blockers').waitFor();
    expect(await line.getAttribute('data-pair-counts')).toBe('23/3');
    await screenshot(page, 'fleet-2000');

    await page.getByLabel('Not at parity only').check();
    await page.getByText(`${notAtParity.toLocaleString('en-US')} families shown`).waitFor();
    await page.getByLabel('Role').selectOption('green');
    await page.getByLabel('Search').fill('svc-0042');
    await page.getByText('1 family shown').waitFor();
    expect(await page.locator('tbody tr').getAttribute('data-verdict')).toBe('revision-differs');
    await page.getByLabel('Search').fill('');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByText(/^Page 2 of \d+$/).waitFor();
    expect(errors, errors.join('\n')).toEqual([]);
    await page.close();
  });

  it('keeps every verdict on screen at 1024 px, and opens on the pair an app links to', async () => {
    const { page, errors } = await openPage(browser);
    await page.setViewportSize({ width: 1024, height: 800 });
    await page.goto(`${world.argocd.url}greenlight?pair=prod-eu`);
    await page.locator('[data-count="families"]').waitFor();
    expect(await page.locator('label', { hasText: 'Pair' }).locator('select').inputValue()).toBe('prod-eu');
    await page.getByLabel('Not at parity only').check();
    const rights = await page.locator('tbody tr td:last-child').evaluateAll((cells) => cells.map((c) => c.getBoundingClientRect().right));
    expect(rights.length).toBeGreaterThan(0);
    await screenshot(page, 'fleet-1024');
    expect(Math.max(...rights)).toBeLessThanOrEqual(1024);
    expect(errors, errors.join('\n')).toEqual([]);
    await page.close();
  });

  it('reads well in the dark theme', async () => {
    const { page, errors } = await openPage(browser);
    await page.goto(`${world.argocd.url}greenlight?theme=dark`);
    await page.locator('[data-count="families"]').waitFor();
    await page.getByLabel('Not at parity only').check();
    await screenshot(page, 'fleet-2000-dark');
    expect(errors, errors.join('\n')).toEqual([]);
    await page.close();
  });
});
