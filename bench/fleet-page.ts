/**
 * @module Benchmark 3b, the fleet page: greenlight's system-level "Blue/Green" page with 2,000
 * families (4,000 Applications on the demo's blue/green pair) in headless Chromium, behind the
 * fake Argo CD of the browser tests (its list API with the `fields` filter, the React 19 demo
 * host, the built extension bundle). Time to content: from navigation to the family count shown.
 */
import { SESSION_COOKIE } from '../test/support/fake-argocd.js';
import { launchBrowser, openPage } from '../test/browser/support/browser.js';
import { startGreenlight, startWorld } from '../test/browser/support/world.js';
import { fleetOfApps } from './support/applications.js';
import { percentile } from './support/load.js';

export interface FleetPageResult {
  readonly families: number;
  readonly applications: number;
  readonly runs: number;
  readonly medianMs: number;
  readonly maxMs: number;
  readonly shownFamilies: string;
}

export async function runFleetPage(options: { families: number; runs: number; log: (line: string) => void }): Promise<FleetPageResult> {
  const probe = await startGreenlight();
  const [blue, green] = probe.inventory.snapshot().clusters;
  await probe.close();
  if (!blue || !green) throw new Error('the demo fleet has no blue/green pair');
  const { applications } = fleetOfApps({ clusters: 2, applications: options.families * 2, clusterNames: [blue, green] });
  const world = await startWorld({ react: 19, applications, applicationSets: [] });
  const browser = await launchBrowser();
  try {
    await browser.context.addCookies([{ name: SESSION_COOKIE, value: world.argocd.sessionToken, url: world.argocd.origin, httpOnly: true, sameSite: 'Lax' }]);
    const times: number[] = [];
    let shown = '';
    for (let i = 0; i < options.runs + 1; i++) {
      const { page, errors } = await openPage(browser);
      const started = Date.now();
      await page.goto(`${world.argocd.url}greenlight`);
      const families = page.locator('[data-count="families"] .greenlight-count__value');
      await families.waitFor({ timeout: 30_000 });
      const elapsed = Date.now() - started;
      shown = (await families.textContent()) ?? '';
      await page.close();
      if (errors.length > 0) throw new Error(`the fleet page reported errors: ${errors.join('; ')}`);
      // The first navigation fills the browser's caches; like a user's second visit, it is not counted.
      if (i > 0) times.push(elapsed);
    }
    times.sort((a, b) => a - b);
    const result = { families: options.families, applications: applications.length, runs: times.length, medianMs: percentile(times, 50), maxMs: times[times.length - 1] ?? Number.NaN, shownFamilies: shown };
    options.log(`  fleet page: ${result.applications} Applications, ${shown} families shown; time to content median ${result.medianMs} ms (max ${result.maxMs} ms, ${result.runs} runs)`);
    return result;
  } finally {
    await browser.close();
    await world.close();
  }
}
