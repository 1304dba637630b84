import { fireEvent, screen, within } from '@testing-library/dom';
import * as React from 'react';
import { describe, expect, it } from 'vitest';
import type { ArgoApplication, FactsResponse } from '../../../generator/contract/ui-api.js';
import { buildFleet } from '../../../generator/parity.js';
import { FleetOverview } from '../../../ui-extension/components/fleet-overview.js';
import { FleetReadiness } from '../../../ui-extension/components/fleet-readiness.js';
import { ReadinessSection } from '../../../ui-extension/components/readiness-section.js';
import { appReadiness, fleetReadiness, type AppReadiness } from '../../../ui-extension/readiness.js';
import { app, applications, BLUE, clusters, factsResponse, FLOW_SCHEMA_V1BETA3, GREEN } from './support/fixtures.js';
import { render } from './support/render.js';

const NOW = Date.parse('2026-11-26T08:00:00Z');
const href = (a: { namespace: string; name: string }) => `/argocd/applications/${a.namespace}/${a.name}`;
const pairLink = (pair: string) => `/argocd/greenlight?pair=${pair}`;
const named = (name: string) => applications.find((a) => a.metadata.name === name) as ArgoApplication;
const subjects = (list: HTMLElement) => [...list.querySelectorAll('li')].map((li) => li.getAttribute('data-subject'));
const REMOVED = 'argocd/reports-blue: flowcontrol.apiserver.k8s.io/v1beta3 FlowSchema reports-batch';

/** The demo pair where green has exactly blue's facts, but an older kube-proxy: ready, with one warning. */
function nearlyReadyFacts(): FactsResponse {
  const response = factsResponse();
  const [blue, green] = response.members;
  if (!blue?.facts || !green) throw new Error('fixture');
  const addons = (blue.facts.addons ?? []).map((a) => (a.name === 'kube-proxy' ? { ...a, version: 'v1.30.9-eksbuild.1' } : a));
  return { ...response, members: [blue, { ...green, facts: { ...blue.facts, addons } }] };
}

describe('appReadiness', () => {
  it("judges the pair from the facts and the app's Applications, one verdict per green, skipping what the browser cannot check", () => {
    const readiness = appReadiness(factsResponse(), [named('reports-blue')]);
    if (readiness.kind !== 'verdicts') throw new Error(readiness.kind);
    const [only] = readiness.verdicts;
    expect(readiness.verdicts).toHaveLength(1);
    expect(only?.ready).toBe(false);
    expect(only?.blockers.map((f) => f.subject)).toEqual([REMOVED]);
    expect(only?.pairWide).toEqual({ blockers: [], warnings: [] });
    expect(only?.otherApps).toEqual({ blockers: 2, warnings: 0 });
    expect(only?.verdict.blockers.map((f) => f.subject)).toEqual([REMOVED, 'ssm:payments/stripe-api-key', 'podidentity:payments/payments-api']);
    expect(only?.verdict.checks.filter((c) => c.outcome === 'skipped').map((c) => c.check)).toEqual(['addon-support', 'eks-insights', 'drift']);
  });

  it("gives each app only its own findings: its resources, its namespace's SSM keys, its service accounts' Pod Identity", () => {
    const all = applications;
    const split = (concerning: ArgoApplication[]) => {
      const readiness = appReadiness(factsResponse(), all, concerning);
      if (readiness.kind !== 'verdicts') throw new Error(readiness.kind);
      const [v] = readiness.verdicts;
      return { own: v?.blockers.map((f) => f.subject), others: v?.otherApps.blockers, total: v?.verdict.blockers.length, ready: v?.ready };
    };
    expect(split([named('web-blue'), named('web-green')])).toEqual({ own: [], others: 3, total: 3, ready: true });
    expect(split([named('payments-api-blue'), named('payments-api-green')])).toEqual({
      own: ['ssm:payments/stripe-api-key', 'podidentity:payments/payments-api'],
      others: 1,
      total: 3,
      ready: false,
    });
    expect(split([named('reports-blue')])).toEqual({ own: [REMOVED], others: 2, total: 3, ready: false });
  });

  it('says when the cluster has no pair, or the pair lacks a role', () => {
    expect(appReadiness({ ...factsResponse(), pair: null }, [])).toEqual({ kind: 'no-pair', cluster: 'prod-eu-green' });
    const response = factsResponse();
    const onlyBlue = { ...response, members: response.members.filter((m) => m.role === 'blue') };
    expect(appReadiness(onlyBlue, [])).toMatchObject({ kind: 'incomplete-pair', pair: 'prod-eu', missing: 'green', members: ['prod-eu-blue'] });
  });

  it('blocks, naming the cluster and why, when greenlight could not read a member', () => {
    const response = factsResponse();
    const [blue, green] = response.members;
    if (!blue || !green) throw new Error('fixture');
    const failed = { ...response, members: [blue, { ...green, facts: null, error: { code: 'GL_FACTS_UNAVAILABLE', message: 'EKS DescribeCluster: AccessDenied' } }] };
    const readiness = appReadiness(failed, [named('web-green')]) as Extract<AppReadiness, { kind: 'verdicts' }>;
    // Facts that cannot be read hold every app of the pair.
    expect(readiness.verdicts[0]?.ready).toBe(false);
    expect(readiness.verdicts[0]?.blockers).toEqual([]);
    expect(readiness.verdicts[0]?.pairWide.blockers.map((f) => f.message)).toEqual([
      'greenlight could not read the facts of prod-eu-green (EKS DescribeCluster: AccessDenied), so it cannot judge pair prod-eu. Fix the fact source for prod-eu-green and check again.',
    ]);
  });
});

describe('ReadinessSection', () => {
  it('lists the blockers that concern the app, each with what to do, and the checks, naming the CLI for those it cannot run', async () => {
    await render(<ReadinessSection state={{ kind: 'ready', app: 'reports', readiness: appReadiness(factsResponse(), [named('reports-blue')]) }} pairHref={pairLink} />);
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
    expect(counts.textContent).toContain('Judged here for pair prod-eu: 3 blockers (1 blocker for reports, nothing pair-wide, 2 blockers for other apps).');
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
    expect(outcome('addon-support')).toBeUndefined();
    const elsewhere = checks.querySelector('[data-check="not-checked-here"]') as HTMLElement;
    expect(elsewhere.textContent).toContain("EKS add-on support for green's version, EKS upgrade insights");
    expect(elsewhere.textContent).toContain('not checked here (greenlight readiness --pair prod-eu checks them)');
  });

  it('says ready, and shows the warnings to read first', async () => {
    await render(<ReadinessSection state={{ kind: 'ready', app: 'web', readiness: appReadiness(nearlyReadyFacts(), [named('web-blue'), named('web-green')]) }} pairHref={pairLink} />);
    expect(screen.getByText('Ready')).toBeTruthy();
    expect(screen.getByText('1 warning')).toBeTruthy();
    expect(screen.getByText('Nothing that greenlight checks here blocks web on prod-eu-green; read the warnings before the next weight step.')).toBeTruthy();
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

  it('shows loading, no pair and a pair without green', async () => {
    const view = await render(<ReadinessSection state={{ kind: 'loading' }} pairHref={pairLink} />);
    expect(screen.getByRole('status').textContent).toContain('Loading the readiness of this pair…');
    await view.rerender(<ReadinessSection state={{ kind: 'ready', app: 'web', readiness: { kind: 'no-pair', cluster: 'dev-1' } }} pairHref={pairLink} />);
    expect(screen.getByText('dev-1 is not part of a blue/green pair')).toBeTruthy();
    await view.rerender(<ReadinessSection state={{ kind: 'ready', app: 'web', readiness: { kind: 'incomplete-pair', pair: 'prod-us', missing: 'green', members: ['prod-us-blue'] } }} pairHref={pairLink} />);
    expect(screen.getByText('Pair prod-us has no green cluster')).toBeTruthy();
    expect(screen.getByRole('note').textContent).toContain('the pair has prod-us-blue');
  });
});

describe('fleetReadiness', () => {
  it("judges each pair from Applications and Argo CD's cluster versions: removed APIs and version skew", () => {
    const [line, ...rest] = fleetReadiness(applications, clusters);
    expect(rest).toEqual([]);
    expect(line).toMatchObject({ kind: 'checked', pair: 'prod-eu', blue: 'prod-eu-blue', green: 'prod-eu-green', blueVersion: '1.31', greenVersion: '1.32', warnings: [] });
    if (line?.kind !== 'checked') throw new Error('not checked');
    expect(line.blockers.map((f) => f.subject)).toEqual([REMOVED]);
    expect(line.detail).toBe('prod-eu-green runs 1.32, prod-eu-blue runs 1.31; 9 resources of 6 Applications on prod-eu-blue and prod-eu-green checked against Kubernetes 1.32');
  });

  it('says what it lacks: a version from Argo CD, a role in the pair', () => {
    const noVersion = clusters.map((c) => ({ ...c, info: null }));
    expect(fleetReadiness(applications, noVersion)).toEqual([{ kind: 'versions-unknown', pair: 'prod-eu', blue: 'prod-eu-blue', green: 'prod-eu-green', unknown: ['prod-eu-blue', 'prod-eu-green'] }]);
    // The deprecated top-level serverVersion is read too; without blue's, removed APIs are still judged.
    const greenOnly = clusters.map((c) => (c.name === 'prod-eu-green' ? { ...c, info: null, serverVersion: '1.32' } : { ...c, info: null }));
    expect(fleetReadiness(applications, greenOnly)[0]).toMatchObject({ kind: 'checked', blueVersion: null, greenVersion: '1.32' });
    const lonely = [...clusters, { name: 'prod-us-blue', server: 'https://us.example', labels: { 'greenlight.io/pair': 'prod-us', 'greenlight.io/role': 'blue' } }];
    expect(fleetReadiness([], lonely)[1]).toEqual({ kind: 'incomplete-pair', pair: 'prod-us', missing: 'green' });
  });

  it('judges thousands of Applications (its speed is measured by npm run bench)', () => {
    const many: ArgoApplication[] = [];
    for (let i = 0; i < 2000; i++) {
      const resources = Array.from({ length: 12 }, (_, j) => ({ group: 'apps', version: 'v1', kind: 'Deployment', namespace: `ns-${i}`, name: `d-${j}` }));
      many.push(app(`svc-${i}-blue`, { family: `svc-${i}`, resources: i % 100 === 0 ? [...resources, FLOW_SCHEMA_V1BETA3] : resources }));
      many.push(app(`svc-${i}-green`, { family: `svc-${i}`, server: GREEN, resources }));
    }
    const [line] = fleetReadiness(many, clusters);
    expect(line?.kind === 'checked' ? line.blockers.length : -1).toBe(20);
  });
});

describe('FleetReadiness', () => {
  it('shows one line per pair with its blockers, the findings on demand, and where the full verdict is', async () => {
    await render(<FleetReadiness lines={fleetReadiness(applications, clusters)} />);
    const line = document.querySelector('[data-pair="prod-eu"]') as HTMLElement;
    expect(line.getAttribute('data-blockers')).toBe('1');
    expect(line.textContent).toContain('prod-eu prod-eu-blue (1.31) → prod-eu-green (1.32):');
    expect(within(line).getByText('1 blocker')).toBeTruthy();
    expect(within(line).getByText('0 warnings')).toBeTruthy();
    expect(line.textContent).toContain('open an app of the pair for the full verdict');
    fireEvent.click(within(line).getByText('Blockers and warnings (1)'));
    expect(subjects(within(line).getByRole('list', { name: 'readiness of prod-eu' }))).toEqual([REMOVED]);
  });

  it('caps long lists, and says when versions or roles are missing', async () => {
    const many = Array.from({ length: 25 }, (_, i) => app(`batch-${i}`, { server: BLUE, resources: [{ ...FLOW_SCHEMA_V1BETA3, name: `fs-${i}` }] }));
    const view = await render(<FleetReadiness lines={fleetReadiness(many, clusters)} />);
    expect(screen.getByRole('list', { name: 'readiness of prod-eu' }).querySelectorAll('li')).toHaveLength(20);
    expect(screen.getByText('and 5 more: greenlight readiness --pair prod-eu lists them all')).toBeTruthy();
    await view.rerender(
      <FleetReadiness
        lines={[
          { kind: 'versions-unknown', pair: 'prod-eu', blue: 'prod-eu-blue', green: 'prod-eu-green', unknown: ['prod-eu-green'] },
          { kind: 'incomplete-pair', pair: 'prod-us', missing: 'green' },
        ]}
      />,
    );
    expect(document.querySelector('[data-pair="prod-eu"]')?.textContent).toContain(
      'Argo CD reports no Kubernetes version for prod-eu-green yet, so this page cannot check removed APIs: open an app of the pair for the full verdict',
    );
    expect(document.querySelector('[data-pair="prod-us"]')?.textContent).toBe('prod-us: no green cluster (label greenlight.io/role), so there is no step from blue to green to judge.');
  });

  it('follows the pair filter of the Blue/Green page', async () => {
    const lines = [...fleetReadiness(applications, clusters), { kind: 'incomplete-pair' as const, pair: 'prod-us', missing: 'green' }];
    await render(<FleetOverview fleet={buildFleet({ applications, clusters })} appHref={href} now={NOW} readiness={lines} />);
    const pairs = () => [...document.querySelectorAll('.greenlight-readiness-line')].map((l) => l.getAttribute('data-pair'));
    expect(pairs()).toEqual(['prod-eu', 'prod-us']);
    fireEvent.change(screen.getByLabelText('Pair'), { target: { value: 'prod-eu' } });
    expect(pairs()).toEqual(['prod-eu']);
  });

  it("opens on the pair an app's readiness links to, and ignores a pair it does not know", async () => {
    const fleet = buildFleet({ applications, clusters });
    const lines = fleetReadiness(applications, clusters);
    const view = await render(<FleetOverview fleet={fleet} appHref={href} now={NOW} readiness={lines} initialPair='prod-eu' />);
    expect((screen.getByLabelText('Pair') as HTMLSelectElement).value).toBe('prod-eu');
    await view.rerender(<div />);
    await view.rerender(<FleetOverview fleet={fleet} appHref={href} now={NOW} readiness={lines} initialPair='no-such-pair' />);
    expect((screen.getByLabelText('Pair') as HTMLSelectElement).value).toBe('');
  });
});
