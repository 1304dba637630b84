/**
 * The pair's drift audit and traffic gate in the UI bundle, in headless Chromium inside the
 * Argo CD stand-in, over the real greenlight facts route: the demo fleet's built-in cluster
 * objects and traffic, audited and gated by the service's own rules (what `greenlight drift` and
 * `greenlight gate` say about the demo). The Parity view and the Blue/Green page, at 1280 px in
 * both themes, without sideways scrolling; the drift disclosure opened from the keyboard.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, openPage, screenshotOf, type Browser } from './support/browser.js';
import { identifierPiecesSplit, pageScrollsSideways } from './support/layout.js';
import { startWorld, signIn, type World } from './support/world.js';

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
const rowsOf = (page: Page, table: string) =>
  page.getByRole('table', { name: table }).locator('tbody tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent ?? '')));

/** Relative luminance of a CSS rgb() colour, 0 (black) to 1 (white). */
function luminance(rgb: string): number {
  const [r = 0, g = 0, b = 0] = (rgb.match(/\d+(\.\d+)?/g) ?? []).map(Number).map((v) => {
    const c = v / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

describe("the Parity view's drift and gate sections", () => {
  it("show web's drift on blue (a hotfix green lacks, an Ingress green has too) and the gate holding the first step, with no live evidence yet", async () => {
    const { page, errors } = await openPage(browser);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(appUrl('web-prod-eu-green', '?view=Parity'));
    const drift = page.locator('[data-greenlight-drift="served"]');
    await drift.getByRole('heading', { name: 'Drift on prod-eu-blue' }).waitFor();

    const hotfix = drift.locator('[data-object="ConfigMap web/web-config"]');
    expect(await hotfix.getAttribute('data-drift-class')).toBe('hotfix');
    await hotfix.getByText('change missing on prod-eu-green', { exact: true }).waitFor();
    expect(await hotfix.locator('.greenlight-detail').allTextContents()).toContain('fields: data.LOG_LEVEL');
    expect(await hotfix.textContent()).toContain('last changed by kubectl-edit');
    const ingress = drift.locator('[data-object="Ingress web/web-debug"]');
    await ingress.getByText('prod-eu-green has it', { exact: true }).waitFor();
    expect(await ingress.textContent()).toContain('made by kubectl-create');
    // The pair's counts, as greenlight drift counts them: 3 made outside Git and not signed off, 1 hotfix, 1 on EBS, 1 accepted; 4 that green lacks.
    expect(await drift.locator('[data-drift-counts]').getAttribute('data-drift-counts')).toBe('3/1/1/1/4');
    await drift.getByText('greenlight drift --pair prod-eu -o manifests', { exact: true }).waitFor();

    const gate = page.locator('[data-greenlight-gate="served"]');
    await gate.locator('[data-decision="hold"]').waitFor();
    expect(await gate.locator('.greenlight-readiness__headline').textContent()).toBe('Hold next step 100/0 → 80/20 (blue/green) held until the reasons below are fixed');
    expect(await gate.getByRole('list', { name: 'gate reasons' }).locator(':scope > li').evaluateAll((lis) => lis.map((li) => `${li.getAttribute('data-check')}:${li.getAttribute('data-outcome')}`))).toEqual([
      'readiness:hold',
      'health:note',
      'health:note',
    ]);
    const health = await rowsOf(page, 'live health of the pair');
    expect(health.map((r) => [r[0], r[2], r[4]])).toEqual([
      ['5xx ratio', 'no traffic', expect.stringMatching(/^no live evidence yet/) as unknown as string],
      ['p99 latency', 'no traffic', expect.stringMatching(/^no live evidence yet/) as unknown as string],
      ['container restarts', '0', 'ok'],
    ]);
    const split = await rowsOf(page, 'Route 53 split');
    expect(split.map((r) => [r[0], r[2], r[3], r[5]])).toEqual([
      ['prod-eu-blue blue', '100', '100', 'ok'],
      ['prod-eu-green green', '0', '0', 'ok'],
      ['prod-eu-blue blue', '100', '100', 'ok'],
      ['prod-eu-green green', '0', '0', 'ok'],
    ]);

    expect(await pageScrollsSideways(page)).toBe(false);
    expect(await identifierPiecesSplit(page)).toEqual([]);
    await screenshotOf(drift, 'drift-section');
    await screenshotOf(gate, 'gate-section');
    expect(errors, errors.join('\n')).toEqual([]);
    await page.close();
  });

  it("show payments-api's CronJob made by hand that green lacks, and reports' EBS data, readable in the dark theme at 1280 px", async () => {
    const { page, errors } = await openPage(browser);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(appUrl('payments-api-prod-eu-green', '?view=Parity&theme=dark'));
    const cron = page.locator('[data-object="CronJob payments/db-cleanup-manual"]');
    await cron.getByText('missing on prod-eu-green', { exact: true }).waitFor();
    const colours = await page.locator('[data-greenlight-drift="served"]').evaluate((el) => ({ background: getComputedStyle(el.closest('.greenlight') as Element).backgroundColor, color: getComputedStyle(el).color }));
    expect(luminance(colours.background)).toBeLessThan(0.05);
    expect(luminance(colours.color)).toBeGreaterThan(0.6);
    expect(await pageScrollsSideways(page)).toBe(false);

    await page.goto(appUrl('reports-prod-eu-blue', '?view=Parity&theme=dark'));
    const claim = page.locator('[data-object="PersistentVolumeClaim reports/data-reports-db-0"]');
    await claim.getByText('data on EBS', { exact: true }).waitFor();
    expect(await claim.locator('[data-volume]').textContent()).toBe(
      'EBS volume vol-0demo1234567890ab, 50Gi in eu-west-1a, storage class gp3; used by StatefulSet/reports-db. Green cannot attach it: migrate the data.',
    );
    expect(await pageScrollsSideways(page)).toBe(false);
    expect(errors, errors.join('\n')).toEqual([]);
    await page.close();
  });
});

describe('the Blue/Green page', () => {
  it("shows the pair's gate line and its drift, opened from the keyboard, without scrolling sideways at 1280 px", async () => {
    const { page, errors } = await openPage(browser);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.goto(`${world.argocd.url}greenlight`);
    const line = page.locator('.greenlight-readiness-line[data-pair="prod-eu"]');
    await line.locator('[data-gate="served"][data-gate-decision="hold"]').waitFor();
    expect(await line.locator('[data-split]').textContent()).toMatch(
      /^Route 53: prod-eu-blue 100 \(wants 100\); prod-eu-green 0 \(wants 0\); prod-eu-blue 100 \(wants 100\); prod-eu-green 0 \(wants 0\) as of \d\d:\d\d:\d\d; greenlight gate --pair prod-eu shows the evidence\.$/,
    );
    const drift = line.locator('[data-drift="served"]');
    const summary = drift.locator('summary');
    await summary.focus();
    await page.keyboard.press('Enter');
    await drift.locator('.greenlight-drift').first().waitFor();
    // Asked through the pair's first Application: its family's findings and the pair-wide ones in full, other apps' counted.
    const shown = Number(await drift.getAttribute('data-drift-shown'));
    expect(await drift.locator('.greenlight-drift').count()).toBe(shown);
    await drift.locator('[data-object="ClusterRole debug-admin"]').getByText('missing on prod-eu-green', { exact: true }).waitFor();
    expect(await pageScrollsSideways(page)).toBe(false);
    await screenshotOf(line, 'fleet-drift-gate');
    expect(errors, errors.join('\n')).toEqual([]);
    await page.close();
  });
});
