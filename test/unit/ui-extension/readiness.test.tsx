import { fireEvent, screen, within } from '@testing-library/dom';
import * as React from 'react';
import { describe, expect, it } from 'vitest';
import type { ArgoApplication } from '../../../generator/contract/ui-api.js';
import type { FactsResponse } from '../../../generator/contract/facts-api.js';
import { buildFleet } from '../../../generator/parity.js';
import { FleetOverview } from '../../../ui-extension/components/fleet-overview.js';
import { FleetReadiness } from '../../../ui-extension/components/fleet-readiness.js';
import { ReadinessSection } from '../../../ui-extension/components/readiness-section.js';
import { asOf } from '../../../ui-extension/components/readiness-section.js';
import { appReadiness, fleetReadinessPlan, type FleetPairReadiness, type JudgedReadiness } from '../../../ui-extension/readiness.js';
import { app, applications, BLUE, clusters, factsResponse, GREEN, VERDICT_AT, withServedReadiness } from './support/fixtures.js';
import { render } from './support/render.js';

const NOW = Date.parse('2026-11-26T08:00:00Z');
const href = (a: { namespace: string; name: string }) => `/argocd/applications/${a.namespace}/${a.name}`;
const pairLink = (pair: string) => `/argocd/greenlight?pair=${pair}`;
const subjects = (list: HTMLElement) => [...list.querySelectorAll('li')].map((li) => li.getAttribute('data-subject'));
const REMOVED = 'argocd/reports-blue: flowcontrol.apiserver.k8s.io/v1beta3 FlowSchema reports-batch';

/** The demo pair where green has exactly blue's facts, but an older kube-proxy: ready, with one warning. */
function nearlyReadyFacts(viewer: string): FactsResponse {
  const response = factsResponse(viewer);
  const [blue, green] = response.members;
  if (!blue?.facts || !green) throw new Error('fixture');
  const addons = (blue.facts.addons ?? []).map((a) => (a.name === 'kube-proxy' ? { ...a, version: 'v1.30.9-eksbuild.1' } : a));
  return withServedReadiness({ ...response, members: [blue, { ...green, facts: { ...blue.facts, addons } }] }, applications.filter((a) => a.metadata.name.startsWith('web')));
}

const judged = (viewer: string) => {
  const readiness = appReadiness(factsResponse(viewer));
  if (readiness.kind !== 'judged') throw new Error(readiness.kind);
  return readiness;
};

describe('appReadiness', () => {
  it("shows the service's verdict: the pair's counts, the findings about the app's family, other apps' counted", () => {
    const { served, ready } = judged('reports-blue');
    expect(ready).toBe(false);
    expect(served.counts).toEqual({ blockers: 3, warnings: 0 });
    expect(served.app.blockers.map((f) => f.subject)).toEqual([REMOVED]);
    expect(served.pairWide).toEqual({ blockers: [], warnings: [] });
    expect(served.otherApps).toEqual({ blockers: 2, warnings: 0 });
  });

  it("gives each app only its own findings, and the same pair counts in every app's view", () => {
    const split = (viewer: string) => {
      const { served, ready } = judged(viewer);
      return { own: served.app.blockers.map((f) => f.subject), others: served.otherApps.blockers, total: served.counts.blockers, ready };
    };
    expect(split('web-green')).toEqual({ own: [], others: 3, total: 3, ready: true });
    expect(split('payments-api-blue')).toEqual({ own: ['ssm:payments/stripe-api-key', 'podidentity:payments/payments-api'], others: 1, total: 3, ready: false });
    expect(split('reports-blue')).toEqual({ own: [REMOVED], others: 2, total: 3, ready: false });
  });

  it('says when the cluster has no pair, or why the service has no verdict', () => {
    expect(appReadiness({ ...factsResponse(), pair: null })).toEqual({ kind: 'no-pair', cluster: 'prod-eu-green' });
    const reason = 'pair prod-eu has no cluster with greenlight.io/role=green (its clusters: prod-eu-blue)';
    expect(appReadiness({ ...factsResponse(), readiness: { state: 'unavailable', reason } })).toEqual({ kind: 'unavailable', pair: 'prod-eu', reason });
    const { readiness: _omitted, ...older } = factsResponse();
    expect(appReadiness(older)).toEqual({
      kind: 'unavailable',
      pair: 'prod-eu',
      reason: 'this greenlight service serves no readiness verdict (it is older than this UI extension): upgrade it, or run "greenlight readiness --pair prod-eu"',
    });
  });

  it('holds every app, naming the cluster and why, when greenlight could not read a member', () => {
    const response = factsResponse();
    const [blue, green] = response.members;
    if (!blue || !green) throw new Error('fixture');
    const failed = withServedReadiness({ ...response, members: [blue, { ...green, facts: null, error: { code: 'GL_FACTS_UNAVAILABLE', message: 'EKS DescribeCluster: AccessDenied' } }] });
    const readiness = appReadiness(failed);
    if (readiness.kind !== 'judged') throw new Error(readiness.kind);
    expect(readiness.ready).toBe(false);
    expect(readiness.served.app.blockers).toEqual([]);
    expect(readiness.served.pairWide.blockers.map((f) => f.message)).toEqual([
      'greenlight could not read the facts of prod-eu-green (EKS DescribeCluster: AccessDenied), so it cannot judge pair prod-eu. Fix the fact source for prod-eu-green and check again.',
    ]);
  });
});

describe('ReadinessSection', () => {
  it("lists the blockers that concern the app, each with what to do, the pair's counts and every check", async () => {
    await render(<ReadinessSection state={{ kind: 'ready', app: 'reports', readiness: appReadiness(factsResponse('reports-blue')) }} pairHref={pairLink} />);
    expect(screen.getByRole('heading', { level: 3 }).textContent).toBe('Readiness for the next weight step');
    const verdict = document.querySelector('[data-green="prod-eu-green"]') as HTMLElement;
    expect(verdict.getAttribute('data-ready')).toBe('false');
    expect(within(verdict).getByText('1 blocker')).toBeTruthy();
    expect(within(verdict).getByText('prod-eu-blue (1.31) → prod-eu-green (1.32)')).toBeTruthy();
    expect(within(verdict).getByText('Fix this before moving traffic for reports to prod-eu-green.')).toBeTruthy();
    const blockers = screen.getByRole('list', { name: 'blockers' });
    expect(subjects(blockers)).toEqual([REMOVED]);
    const counts = verdict.querySelector('[data-pair-counts]') as HTMLElement;
    expect(counts.getAttribute('data-pair-counts')).toBe('3/0');
    expect(counts.textContent).toContain(`Pair prod-eu: 3 blockers${asOf(VERDICT_AT)} (1 blocker for reports, nothing pair-wide, 2 blockers for other apps, shown in their own views).`);
    expect(within(counts).getByRole('link', { name: 'See pair prod-eu' }).getAttribute('href')).toBe('/argocd/greenlight?pair=prod-eu');
    const removed = blockers.querySelector(`[data-subject="${REMOVED}"]`) as HTMLElement;
    expect(within(removed).getByText('Removed API')).toBeTruthy();
    expect(removed.textContent).toContain(
      'Application argocd/reports-blue (on prod-eu-blue) manages FlowSchema reports-batch as flowcontrol.apiserver.k8s.io/v1beta3, which Kubernetes 1.32 stopped serving; prod-eu-green runs 1.32 and rejects it. Move the manifest to flowcontrol.apiserver.k8s.io/v1 (served since 1.29, so prod-eu-blue on 1.31 accepts it too).',
    );
    expect(within(removed).getByRole('link').getAttribute('href')).toBe('https://kubernetes.io/docs/reference/using-api/deprecation-guide/#flowcontrol-resources-v132');
    expect(screen.queryByRole('list', { name: 'warnings' })).toBeNull();

    const checks = screen.getByRole('list', { name: 'checks' });
    const outcome = (check: string) => checks.querySelector(`[data-check="${check}"]`)?.getAttribute('data-outcome');
    expect(outcome('version-skew')).toBe('ok');
    expect(outcome('removed-apis')).toBe('blockers');
    expect(outcome('ssm')).toBe('blockers');
    // As the service reports them: a check it could not run says why.
    expect(outcome('addon-support')).toBe('skipped');
    expect(verdict.textContent).toContain("greenlight's service judged the whole pair, as greenlight readiness --pair prod-eu and the greenlight_readiness_blockers metric do.");
  });

  it('says ready, and shows the warnings to read first', async () => {
    await render(<ReadinessSection state={{ kind: 'ready', app: 'web', readiness: appReadiness(nearlyReadyFacts('web-green')) }} pairHref={pairLink} />);
    expect(screen.getByText('Ready')).toBeTruthy();
    expect(screen.getByText('1 warning')).toBeTruthy();
    expect(screen.getByText('Nothing that greenlight checks blocks web on prod-eu-green; read the warnings before the next weight step.')).toBeTruthy();
    // An add-on is the pair's, not the app's: shown as pair-wide.
    expect(screen.queryByRole('list', { name: 'warnings' })).toBeNull();
    const pairWide = screen.getByRole('list', { name: 'pair-wide' });
    expect(subjects(pairWide)).toEqual(['addon:kube-proxy']);
    expect(within(pairWide).getByText('EKS add-on')).toBeTruthy();
    expect(document.querySelector('.greenlight-readiness--ready')).toBeTruthy();
  });

  it('says readiness needs the facts through the proxy extension, as the facts diff does', async () => {
    await render(<ReadinessSection state={{ kind: 'needs-facts', problem: { kind: 'proxy-disabled', detail: 'Argo CD answered 200 with its web page instead of greenlight\'s JSON: the proxy extension is not enabled' } }} pairHref={pairLink} />);
    const note = screen.getByRole('note');
    expect(note.getAttribute('data-readiness-problem')).toBe('proxy-disabled');
    expect(note.textContent).toContain("Readiness needs the facts of this cluster pair, which greenlight serves through Argo CD's proxy extension");
    expect(note.textContent).toContain('Argo CD\'s proxy extension is not enabled; "Cluster facts" below says why and what to set up.');
  });

  it("shows loading, no pair and the service's reason for no verdict", async () => {
    const view = await render(<ReadinessSection state={{ kind: 'loading' }} pairHref={pairLink} />);
    expect(screen.getByRole('status').textContent).toContain('Loading the readiness of this pair…');
    await view.rerender(<ReadinessSection state={{ kind: 'ready', app: 'web', readiness: { kind: 'no-pair', cluster: 'dev-1' } }} pairHref={pairLink} />);
    expect(screen.getByText('dev-1 is not part of a blue/green pair')).toBeTruthy();
    const reason = 'pair prod-us has no cluster with greenlight.io/role=green (its clusters: prod-us-blue)';
    await view.rerender(<ReadinessSection state={{ kind: 'ready', app: 'web', readiness: { kind: 'unavailable', pair: 'prod-us', reason } }} pairHref={pairLink} />);
    expect(screen.getByText('No readiness verdict for pair prod-us')).toBeTruthy();
    expect(document.querySelector('[data-readiness-reason]')?.textContent).toBe(reason);
  });
});

describe('fleetReadinessPlan', () => {
  it('asks each pair through the first Application deploying to it, and says which pairs lack a role or an Application', () => {
    const lonely = [...clusters, { name: 'prod-us-blue', server: 'https://us.example', labels: { 'greenlight.io/pair': 'prod-us', 'greenlight.io/role': 'blue' } }];
    const empty = [...clusters, { name: 'dev-blue', server: 'https://dev-b.example', labels: { 'greenlight.io/pair': 'dev', 'greenlight.io/role': 'blue' } }, { name: 'dev-green', server: 'https://dev-g.example', labels: { 'greenlight.io/pair': 'dev', 'greenlight.io/role': 'green' } }];
    expect(fleetReadinessPlan(applications, lonely)).toEqual([
      { kind: 'ask', pair: 'prod-eu', via: { namespace: 'argocd', name: [...applications].map((a) => a.metadata.name).sort()[0], project: 'default' } },
      { kind: 'incomplete-pair', pair: 'prod-us', missing: 'green' },
    ]);
    expect(fleetReadinessPlan(applications, empty)[0]).toEqual({ kind: 'no-app', pair: 'dev' });
  });

  it('plans thousands of Applications in one pass (its speed is measured by npm run bench)', () => {
    const many: ArgoApplication[] = [];
    for (let i = 0; i < 2000; i++) many.push(app(`svc-${String(2000 - i).padStart(4, '0')}`, { family: `svc-${i}`, server: i % 2 === 0 ? BLUE : GREEN }));
    expect(fleetReadinessPlan(many, clusters)).toEqual([{ kind: 'ask', pair: 'prod-eu', via: { namespace: 'argocd', name: 'svc-0001', project: 'default' } }]);
  });
});

const servedLine = (served = factsResponse('reports-blue').readiness): FleetPairReadiness => {
  if (served?.state !== 'judged') throw new Error('fixture');
  return { kind: 'judged', pair: served.pair, served };
};

describe('FleetReadiness', () => {
  it("shows one line per pair with the service's counts, the pair-wide findings on demand, and where each app's are", async () => {
    await render(<FleetReadiness lines={[servedLine()]} />);
    const line = document.querySelector('[data-pair="prod-eu"]') as HTMLElement;
    expect(line.getAttribute('data-pair-counts')).toBe('3/0');
    expect(line.textContent).toContain('prod-eu prod-eu-blue (1.31) → prod-eu-green (1.32):');
    expect(within(line).getByText('3 blockers')).toBeTruthy();
    expect(within(line).getByText('0 warnings')).toBeTruthy();
    expect(line.textContent).toContain(`greenlight's verdict${asOf(VERDICT_AT)}; 3 findings about single apps, shown in each app's Parity view; greenlight readiness --pair prod-eu lists them all.`);
    expect(within(line).queryByText(/Pair-wide/)).toBeNull();
  });

  it('caps long pair-wide lists, and says why a pair has no verdict', async () => {
    const base = servedLine();
    if (base.kind !== 'judged') throw new Error('fixture');
    const finding = (i: number) => ({ kind: 'addon-skew' as const, severity: 'warning' as const, subject: `addon:a-${i}`, message: `add-on a-${i}`, cluster: 'prod-eu-green', app: null, resource: null, workload: null, reference: null });
    const pairWide = Array.from({ length: 25 }, (_, i) => finding(i));
    const served: JudgedReadiness = { ...base.served, counts: { blockers: 3, warnings: 25 }, pairWide: { blockers: [], warnings: pairWide } };
    const view = await render(<FleetReadiness lines={[{ kind: 'judged', pair: 'prod-eu', served }]} />);
    fireEvent.click(screen.getByText('Pair-wide (25)'));
    expect(screen.getByRole('list', { name: 'pair-wide readiness of prod-eu' }).querySelectorAll('li')).toHaveLength(20);
    expect(screen.getByText('and 5 more: greenlight readiness --pair prod-eu lists them all')).toBeTruthy();
    await view.rerender(
      <FleetReadiness
        lines={[
          { kind: 'unavailable', pair: 'prod-eu', reason: 'greenlight could not judge pair prod-eu: Argo CD Applications could not be listed' },
          { kind: 'incomplete-pair', pair: 'prod-us', missing: 'green' },
          { kind: 'no-app', pair: 'dev' },
          { kind: 'loading', pair: 'qa' },
        ]}
      />,
    );
    expect(document.querySelector('[data-pair="prod-eu"]')?.textContent).toBe('prod-eu: no verdict greenlight could not judge pair prod-eu: Argo CD Applications could not be listed');
    expect(document.querySelector('[data-pair="prod-us"]')?.textContent).toBe('prod-us: no green cluster (label greenlight.io/role), so there is no step from blue to green to judge.');
    expect(document.querySelector('[data-pair="dev"]')?.textContent).toContain('no Application you may see deploys to this pair, and greenlight is asked through one; run greenlight readiness --pair dev.');
    expect(document.querySelector('[data-pair="qa"]')?.textContent).toBe('qa: asking greenlight for the verdict…');
  });

  it('follows the pair filter of the Blue/Green page', async () => {
    const lines = [servedLine(), { kind: 'incomplete-pair' as const, pair: 'prod-us', missing: 'green' }];
    await render(<FleetOverview fleet={buildFleet({ applications, clusters })} appHref={href} now={NOW} readiness={lines} />);
    const pairs = () => [...document.querySelectorAll('.greenlight-readiness-line')].map((l) => l.getAttribute('data-pair'));
    expect(pairs()).toEqual(['prod-eu', 'prod-us']);
    fireEvent.change(screen.getByLabelText('Pair'), { target: { value: 'prod-eu' } });
    expect(pairs()).toEqual(['prod-eu']);
  });

  it("opens on the pair an app's readiness links to, and ignores a pair it does not know", async () => {
    const fleet = buildFleet({ applications, clusters });
    const lines = [servedLine()];
    const view = await render(<FleetOverview fleet={fleet} appHref={href} now={NOW} readiness={lines} initialPair='prod-eu' />);
    expect((screen.getByLabelText('Pair') as HTMLSelectElement).value).toBe('prod-eu');
    await view.rerender(<div />);
    await view.rerender(<FleetOverview fleet={fleet} appHref={href} now={NOW} readiness={lines} initialPair='no-such-pair' />);
    expect((screen.getByLabelText('Pair') as HTMLSelectElement).value).toBe('');
  });
});
