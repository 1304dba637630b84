/**
 * One verdict, one set of counts (issue 13, item 5): the service started as `npm start` starts
 * it, on the demo fleet, judged in four places that must agree: an app's Parity view, the
 * Blue/Green page, `greenlight readiness` and `/metrics`. Each app's view lists only the findings
 * about that app and its pair.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGreenlight } from '../support/cli-process.js';
import { startService, type ServiceProcess } from '../support/service-process.js';
import { launchBrowser, openPage, type Browser } from './support/browser.js';
import { hostScript } from './support/world.js';

let browser: Browser;
let service: ServiceProcess;

beforeAll(async () => {
  await hostScript(19); // fails clearly when the UI is not built
  browser = await launchBrowser();
  service = await startService({ env: { GREENLIGHT_INVENTORY: 'demo' } });
});

afterAll(async () => {
  await browser?.close();
  await service?.stop();
});

/** The pair's blockers and warnings as `/metrics` has them: the sums over kinds. */
async function metricsCounts(): Promise<string> {
  const text = await (await fetch(`${service.url}/metrics`)).text();
  const sum = (name: string) =>
    text
      .split('\n')
      .filter((l) => l.startsWith(`${name}{pair="prod-eu"`))
      .reduce((total, l) => total + Number(l.split(' ').pop()), 0);
  return `${sum('greenlight_readiness_blockers')}/${sum('greenlight_readiness_warnings')}`;
}

describe('one verdict for the demo pair', () => {
  it("shows the same counts in every app's view, on the Blue/Green page, in the CLI and in /metrics, and each app only its own findings", async () => {
    const cli = await runGreenlight(['readiness', '--pair', 'prod-eu', '--inventory', 'demo', '-o', 'json'], { PATH: process.env['PATH'] ?? '' });
    expect(cli.stderr).toBe('');
    const verdict = JSON.parse(cli.stdout) as { blockers: { subject: string }[]; warnings: unknown[] };
    const counts = `${verdict.blockers.length}/${verdict.warnings.length}`;
    expect(verdict.blockers.length).toBeGreaterThan(0);
    expect(await metricsCounts()).toBe(counts);

    const { page, errors } = await openPage(browser);
    const own: Record<string, string[]> = {};
    for (const app of ['payments-api-prod-eu-green', 'web-prod-eu-green', 'reports-prod-eu-blue', 'legacy-cron-prod-eu-blue']) {
      await page.goto(`${service.url}/applications/argocd/${app}?view=Parity`);
      const section = page.locator('[data-greenlight-readiness="judged"]');
      await section.locator('[data-pair-counts]').waitFor();
      expect(await section.locator('[data-pair-counts]').getAttribute('data-pair-counts'), app).toBe(counts);
      const blockers = section.getByRole('list', { name: 'blockers' });
      own[app] = (await blockers.count()) > 0 ? await blockers.locator('li').evaluateAll((items) => items.map((li) => li.getAttribute('data-subject') ?? '')) : [];
    }
    // Each finding is some app's own exactly once (the demo has no pair-wide ones), and web and legacy-cron have none.
    expect(own['web-prod-eu-green']).toEqual([]);
    expect(own['legacy-cron-prod-eu-blue']).toEqual([]);
    expect(own['payments-api-prod-eu-green']).toEqual(['ssm:payments/stripe-api-key', 'podidentity:payments/payments-api']);
    expect([...(own['payments-api-prod-eu-green'] ?? []), ...(own['reports-prod-eu-blue'] ?? [])].sort()).toEqual(verdict.blockers.map((b) => b.subject).sort());

    await page.goto(`${service.url}/greenlight`);
    const line = page.locator('.greenlight-readiness-line[data-pair="prod-eu"][data-readiness="judged"]');
    await line.waitFor();
    expect(await line.getAttribute('data-pair-counts')).toBe(counts);
    expect(errors, errors.join('\n')).toEqual([]);
    await page.close();
  });
});
