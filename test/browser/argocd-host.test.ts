/**
 * The UI bundle inside a stand-in for argocd-server that behaves like each version the extension
 * supports: 3.5 (React 19) and 3.4 (React 16.14). The stand-in trims the application list to
 * that version's `fields` allowlist, reports EKS clusters as "1.32+", keeps the application watch
 * stream open and sends changes on it, serves `/extensions.js` the way that version builds it,
 * and lays out the status panel by Argo CD's own rules (ui-extension/demo-host/host-css.ts cites
 * them) in Argo CD's font. Screenshots go to test-artifacts/browser/.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ArgoApplication } from '../../generator/index.js';
import { eventually } from '../support/patience.js';
import { launchBrowser, openPage, screenshot, screenshotOf, type Browser } from './support/browser.js';
import { boxOf, identifierPiecesSplit, pageScrollsSideways } from './support/layout.js';
import { startWorld, signIn, type World } from './support/world.js';

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
});

/** Why the demo's search app failed to sync on green: only the full Application carries it. */
const FAILURE = 'one or more objects failed to apply, reason: admission webhook "verify-images.example.com" denied the request: ghcr.io/example/search:2.3.1 is not signed';
const ATTEMPTED = '9b8a7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b';

/** The demo's search app on green after a failed sync of another commit, as the controller records it. */
function failedSync(app: ArgoApplication): ArgoApplication {
  const status = app.status ?? {};
  return {
    ...app,
    status: {
      ...status,
      sync: { ...status.sync, status: 'OutOfSync' },
      operationState: {
        ...status.operationState,
        phase: 'Failed',
        message: FAILURE,
        operation: { sync: { revision: ATTEMPTED } },
        syncResult: { revision: ATTEMPTED },
      },
    },
  };
}

/** Argo CD's colours (ui/src/app/shared/components/colors.ts), as the browser computes them. */
const ARGO_GRAY6 = 'rgb(109, 127, 139)';
const ARGO_WARNING = 'rgb(244, 192, 48)';
const ARGO_SUCCESS = 'rgb(24, 190, 148)';

const WIDTHS = [1280, 1440, 1920] as const;
const THEMES = ['light', 'dark'] as const;

const versions = [
  { react: 19, line: '3.5', reactVersion: /^19\./ },
  { react: 16, line: '3.4', reactVersion: /^16\.14\./ },
] as const;

describe.each(versions)('inside Argo CD $line (React $react)', ({ react, line, reactVersion }) => {
  let world: World;

  beforeAll(async () => {
    world = await startWorld({ react });
    world.argocd.update('argocd', 'search-prod-eu-green', failedSync);
    await signIn(browser, world);
  });

  afterAll(async () => {
    await world?.close();
  });

  const appUrl = (name: string, query = '') => `${world.argocd.url}applications/argocd/${name}${query}`;
  const requestsTo = (path: string) => world.argocd.requests.filter((r) => r.path.startsWith(`/argocd/${path}`)).length;

  async function openApp(page: Page, name: string, query = '') {
    await page.goto(appUrl(name, query));
    await page.locator('.greenlight-status[data-greenlight-status="ready"]').waitFor();
    await page.evaluate(() => document.fonts.ready.then(() => undefined));
  }

  it('serves /extensions.js as this version builds it, and the bundle registers under its React', async () => {
    const res = await fetch(`${world.argocd.url}extensions.js`);
    const js = await res.text();
    expect(res.headers.get('content-type')).toBe('application/javascript');
    const source = '// source: /tmp/extensions/extension-greenlight.js/extension-greenlight.js \n';
    expect(js.startsWith(line === '3.5' ? `${source}try {\n` : source)).toBe(true);
    expect(js.includes("} catch(e) { console.error('Extension extension-greenlight.js failed to load:', e); }")).toBe(line === '3.5');

    const { page, errors } = await openPage(browser);
    await page.goto(`${world.argocd.url}applications`);
    await page.getByRole('navigation', { name: 'main' }).getByRole('link', { name: 'Blue/Green' }).waitFor();
    expect(await page.evaluate(() => (window as unknown as { React: { version: string } }).React.version)).toMatch(reactVersion);
    expect(await page.evaluate(() => (window as unknown as { greenlightDemoHost: { calls: string[] } }).greenlightDemoHost.calls)).toEqual([
      'appView:Parity',
      'statusPanel:Blue/Green',
      'systemLevel:Blue/Green:delivered',
    ]);
    expect(errors, errors.join('\n')).toEqual([]);
    await page.close();
  });

  it.each(WIDTHS)('keeps the status item inside the status panel at %i px, in both themes, looking like Argo CD', async (width) => {
    for (const theme of THEMES) {
      // web on green is OutOfSync (the widest SYNC STATUS); checkout on green has the longest value.
      for (const name of ['web-prod-eu-green', 'checkout-prod-eu-green']) {
        const { page, errors } = await openPage(browser);
        await page.setViewportSize({ width, height: 900 });
        await openApp(page, name, `?theme=${theme}`);
        const panel = await boxOf(page.locator('[data-host-panel]'));
        const item = await boxOf(page.locator('.greenlight-status'));
        const where = `${name} at ${width} px, ${theme}: item ${JSON.stringify(item)} in panel ${JSON.stringify(panel)}`;
        expect(item.left, where).toBeGreaterThanOrEqual(panel.left);
        expect(item.right, where).toBeLessThanOrEqual(panel.right);
        expect(item.top, where).toBeGreaterThanOrEqual(panel.top);
        expect(item.bottom, where).toBeLessThanOrEqual(panel.bottom);
        expect(panel.scrollsSideways, where).toBe(false);
        expect(await pageScrollsSideways(page), where).toBe(false);
        expect(await identifierPiecesSplit(page)).toEqual([]);

        // Native: no background of ours, the title as Argo CD's titles, the state in Argo CD's colours.
        const look = await page.locator('.greenlight-status').evaluate((el) => {
          const title = el.querySelector('.greenlight-status__title');
          const dot = el.querySelector('.greenlight-status__dot');
          const argoTitle = el.parentElement?.querySelector('.application-status-panel__item label');
          const css = (e: Element | null | undefined) => (e ? getComputedStyle(e) : undefined);
          return {
            background: css(el)?.backgroundColor,
            color: css(el)?.color,
            panelColor: css(el.parentElement)?.color,
            title: { color: css(title)?.color, size: css(title)?.fontSize, weight: css(title)?.fontWeight },
            argoTitle: { color: css(argoTitle)?.color, size: css(argoTitle)?.fontSize, weight: css(argoTitle)?.fontWeight },
            dot: css(dot)?.color,
            font: css(el)?.fontFamily,
          };
        });
        expect(look.background).toBe('rgba(0, 0, 0, 0)');
        expect(look.color).toBe(look.panelColor);
        expect(look.title).toEqual({ color: ARGO_GRAY6, size: '12px', weight: '600' });
        expect(look.title).toEqual(look.argoTitle);
        // checkout on green is converged where Argo CD lists blue's revision (3.5); on 3.4 it is not known.
        expect(look.dot).toBe(name === 'checkout-prod-eu-green' && line === '3.5' ? ARGO_SUCCESS : ARGO_WARNING);
        expect(look.font).toContain('Heebo');
        if (name === 'web-prod-eu-green') await screenshotOf(page.locator('[data-host-panel]'), `argocd-${line}-status-panel-${width}-${theme}`);
        expect(errors, errors.join('\n')).toEqual([]);
        await page.close();
      }
    }
  });

  it("where Argo CD's own items already overflow the panel (a health message), the item adds little and the page still does not scroll sideways", async () => {
    const { page, errors } = await openPage(browser);
    await page.setViewportSize({ width: 1440, height: 900 });
    await openApp(page, 'payments-api-prod-eu-green');
    const panel = await boxOf(page.locator('[data-host-panel]'));
    const argoItems = await page
      .locator('[data-host-panel] > .application-status-panel__item:not(.greenlight-status)')
      .evaluateAll((items) => items.reduce((sum, i) => sum + i.getBoundingClientRect().width, 0));
    const item = await boxOf(page.locator('.greenlight-status'));
    // A fact of Argo CD's layout, not of greenlight: its item names are at least 325 px wide from 1440 px.
    expect(argoItems, `Argo CD's own items: ${argoItems} px in a ${panel.right - panel.left} px panel`).toBeGreaterThan(panel.right - panel.left - (item.right - item.left));
    expect(item.right - item.left).toBeLessThanOrEqual(110);
    // The panel scrolls sideways inside itself (overflow-x: auto), the page does not.
    expect(await pageScrollsSideways(page)).toBe(false);
    await screenshot(page, `argocd-${line}-health-message-1440`);
    expect(errors, errors.join('\n')).toEqual([]);
    await page.close();
  });

  it("loads the clusters once per page (status item and Parity view), and shows the viewed app's failure reason, which the list API does not return", async () => {
    const { page, errors } = await openPage(browser);
    await page.setViewportSize({ width: 1440, height: 900 });
    const clustersBefore = requestsTo('api/v1/clusters');
    const versionBefore = requestsTo('api/version');
    await openApp(page, 'search-prod-eu-green', '?view=Parity');
    const green = page.locator('tr[data-cluster="prod-eu-green"]');
    await expect.poll(() => green.getAttribute('data-verdict')).toBe('operation-failed');
    await green.getByText(`last sync failed: ${FAILURE}`).waitFor();
    await page.locator('[data-greenlight-status="ready"]').getByText('1/2 at parity').waitFor();
    expect(requestsTo('api/v1/clusters') - clustersBefore).toBe(1);
    expect(requestsTo('api/version') - versionBefore).toBe(1);
    await screenshot(page, `argocd-${line}-failure-reason`);

    // What the list API answers for that app, with the fields greenlight asked for: no message.
    const listPath = world.argocd.requests.filter((r) => r.path.startsWith('/argocd/api/v1/applications?')).at(-1)?.path ?? '';
    const listed = await page.evaluate(async (path) => (await (await fetch(path)).json()) as { items: ArgoApplication[] }, listPath);
    const item = listed.items.find((a) => a.metadata.name === 'search-prod-eu-green');
    expect(item?.status?.operationState?.phase).toBe('Failed');
    expect(item?.status?.operationState?.message).toBeUndefined();
    expect(JSON.stringify(item)).not.toContain(ATTEMPTED);

    // Seen from blue, green's reason is not known, and the UI does not make one up.
    await openApp(page, 'search-prod-eu-blue', '?view=Parity');
    const fromBlue = page.locator('tr[data-cluster="prod-eu-green"]');
    await expect.poll(() => fromBlue.getAttribute('data-verdict')).toBe('operation-failed');
    expect(await fromBlue.locator('[data-verdict] .greenlight-detail').textContent()).toBe('last sync failed');
    expect(errors, errors.join('\n')).toEqual([]);
    await page.close();
  });

  it(`asks the list API only for what ${line} allows, and shows other apps' revision ${line === '3.5' ? 'from it' : 'as not known'}`, async () => {
    const { page, errors } = await openPage(browser);
    await openApp(page, 'web-prod-eu-blue', '?view=Parity');
    const list = world.argocd.requests.filter((r) => r.path.startsWith('/argocd/api/v1/applications?')).at(-1);
    const fields = new URL(list?.path ?? '', world.argocd.origin).searchParams.get('fields')?.split(',') ?? [];
    expect(fields.includes('items.status.sync.revision')).toBe(line === '3.5');
    expect(fields).not.toContain('items.status.operationState.operation.sync');
    const synced = world.argocd.applications().find((a) => a.metadata.name === 'web-prod-eu-green')?.status?.sync?.revision ?? '';
    const blue = page.locator('tr[data-cluster="prod-eu-blue"]');
    const green = page.locator('tr[data-cluster="prod-eu-green"]');
    await expect.poll(() => green.getAttribute('data-verdict')).toBe('out-of-sync');
    // The viewed app's revision is its own object's.
    expect(await blue.locator('.greenlight-ident[title]').filter({ hasText: /^[0-9a-f]{7}$/ }).count()).toBe(1);
    if (line === '3.5') {
      expect(await green.locator(`.greenlight-ident[title="${synced}"]`).textContent()).toBe(synced.slice(0, 7));
    } else {
      expect(await green.locator('[data-revision="not-known"]').textContent()).toBe('not known');
    }
    await screenshot(page, `argocd-${line}-revisions`);
    expect(errors, errors.join('\n')).toEqual([]);
    await page.close();
  });

  it('follows the application watch stream: a change Argo CD sends reaches the status panel, the status item and the list', async () => {
    // Green's revision is listed from 3.5; on 3.4 it is not known, so green is not counted at parity.
    const [before, after] = line === '3.5' ? ['2/2 at parity', '1/2 at parity'] : ['1/2 at parity', '0/2 at parity'];
    const { page, errors } = await openPage(browser);
    await openApp(page, 'checkout-prod-eu-blue');
    await page.locator('[data-greenlight-status="ready"]').getByText(before).waitFor();
    await eventually(() => expect(world.argocd.streams().some((s) => s.includes('name=checkout-prod-eu-blue'))).toBe(true));

    // The controller finds blue's Deployment degraded: Argo CD sends the new object on the stream.
    world.argocd.update('argocd', 'checkout-prod-eu-blue', (app) => ({
      ...app,
      status: { ...app.status, health: { status: 'Degraded', message: 'Deployment checkout: 0 of 3 replicas available' } },
    }));
    await page.locator('[data-host-panel] .application-status-panel__item-value', { hasText: 'Degraded' }).waitFor();
    // The host passed the new Application to the item, which judged the family again.
    await page.locator('[data-greenlight-status="ready"]').getByText(after).waitFor();
    await screenshot(page, `argocd-${line}-after-watch-event`);

    // The list page keeps its own stream (with a resourceVersion and the list's fields).
    await page.goto(`${world.argocd.url}applications`);
    const row = page.locator('tr[data-host-app="checkout-prod-eu-green"]');
    await row.locator('[data-host-sync]', { hasText: 'Synced' }).waitFor();
    await eventually(() => expect(world.argocd.streams().some((s) => s.includes('resourceVersion='))).toBe(true));
    world.argocd.update('argocd', 'checkout-prod-eu-green', (app) => ({ ...app, status: { ...app.status, sync: { ...app.status?.sync, status: 'OutOfSync' } } }));
    await row.locator('[data-host-sync]', { hasText: 'OutOfSync' }).waitFor();
    expect(errors, errors.join('\n')).toEqual([]);
    await page.close();
  });
});
