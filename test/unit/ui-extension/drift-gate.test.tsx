import { fireEvent, screen, waitFor, within } from '@testing-library/dom';
import * as React from 'react';
import { describe, expect, it } from 'vitest';
import type { DriftFinding } from '../../../generator/contract/drift.js';
import type { FactsResponse } from '../../../generator/contract/facts-api.js';
import { createApiClient } from '../../../ui-extension/api-client.js';
import { DriftSection, type DriftSectionState } from '../../../ui-extension/components/drift-section.js';
import { FleetReadiness } from '../../../ui-extension/components/fleet-readiness.js';
import { GateSection } from '../../../ui-extension/components/gate-section.js';
import { FleetPage } from '../../../ui-extension/containers/fleet-container.js';
import { ParityAppView } from '../../../ui-extension/containers/parity-container.js';
import { appDrift, appGate, authorship, groupFindings, type AppDrift } from '../../../ui-extension/drift-gate.js';
import type { HostApplication } from '../../../ui-extension/host.js';
import { appReadiness, type FleetPairReadiness } from '../../../ui-extension/readiness.js';
import { BASE, fakeArgo } from './support/fake-argocd-fetch.js';
import { clusters, driftApplications, driftReport, factsResponse, factsWithAudit, servedDriftFor, servedGateFor, type GateScenario } from './support/fixtures.js';
import { render } from './support/render.js';

const NOW = Date.parse('2026-11-26T08:00:00Z');
const pairLink = (pair: string) => `/argocd/greenlight?pair=${pair}`;
const served = (viewer: string): AppDrift => appDrift(factsWithAudit(viewer));
const ready = (drift: AppDrift, app = 'checkout', namespaces = ['checkout']): DriftSectionState => ({ kind: 'ready', app, namespaces, drift, now: NOW });
const item = (object: string) => document.querySelector<HTMLElement>(`[data-object="${object}"]`) as HTMLElement;
const details = (el: HTMLElement) => [...el.querySelectorAll('.greenlight-detail')].map((d) => d.textContent);
const gateOf = (scenario: GateScenario) => appGate({ ...factsResponse('checkout-green', driftApplications), gate: servedGateFor(scenario, ['checkout']) });

describe('appDrift and appGate', () => {
  it('say when the service is older than the extension, when the cluster has no pair, and why the service has none', () => {
    const older = factsResponse('web-green');
    expect(appDrift(older)).toEqual({ kind: 'unavailable', pair: 'prod-eu', reason: 'this greenlight service serves no drift audit (it is older than this UI extension): upgrade it, or run "greenlight drift --pair prod-eu"' });
    expect(appGate(older)).toEqual({ kind: 'unavailable', pair: 'prod-eu', reason: 'this greenlight service serves no traffic gate (it is older than this UI extension): upgrade it, or run "greenlight gate --pair prod-eu"' });
    const unpaired: FactsResponse = { ...older, pair: null, drift: null, gate: null };
    expect(appDrift(unpaired)).toEqual({ kind: 'no-pair', cluster: 'prod-eu-green' });
    expect(appGate(unpaired)).toEqual({ kind: 'no-pair', cluster: 'prod-eu-green' });
    const reason = 'the drift audit of pair prod-eu has not finished yet: it runs every 10 min (GREENLIGHT_DRIFT_TTL_MS)';
    expect(appDrift({ ...older, drift: { state: 'unavailable', reason } })).toEqual({ kind: 'unavailable', pair: 'prod-eu', reason });
  });

  it('group findings by namespace (cluster-scoped first) and kind, and tell who made an object from who last changed it', () => {
    const report = driftReport();
    const groups = groupFindings(report.findings);
    expect(groups.map((g) => [g.namespace, g.kinds.map((k) => `${k.kind}:${k.findings.length}`).join(',')])).toEqual([
      [null, 'ClusterRoleBinding:1,Namespace:1'],
      ['checkout', 'ConfigMap:2,CronJob:1,Ingress:1,Secret:1'],
      ['data', 'PersistentVolumeClaim:1'],
      ['default', 'ConfigMap:1'],
      ['ops', 'Role:1,RoleBinding:1,ServiceAccount:1'],
    ]);
    const hotfix = report.findings.find((f) => f.class === 'hotfix') as DriftFinding;
    const who = authorship(hotfix.managers);
    expect([who.madeBy?.manager, who.lastChangedBy?.manager]).toEqual(['argocd-controller', 'kubectl-edit']);
    const cron = report.findings.find((f) => f.name === 'nightly-report') as DriftFinding;
    // The controller's status write is not a change of the object.
    expect([authorship(cron.managers).madeBy?.manager, authorship(cron.managers).lastChangedBy]).toEqual(['kubectl-create', undefined]);
  });
});

describe('DriftSection', () => {
  it("lists the family's findings by namespace and kind, each with who made it and when, whether green has it, and the pair's counts", async () => {
    await render(<DriftSection state={ready(served('checkout-green'))} pairHref={pairLink} />);
    expect(screen.getByRole('heading', { level: 3 }).textContent).toBe('Drift on prod-eu-blue');
    expect(document.querySelector('[data-greenlight-drift]')?.getAttribute('data-greenlight-drift')).toBe('served');
    const ns = document.querySelector<HTMLElement>('[data-namespace="checkout"]') as HTMLElement;
    expect(within(ns).getByRole('heading', { level: 5 }).textContent).toBe('namespace checkout (5)');
    expect([...ns.querySelectorAll('.greenlight-drift-kind')].map((k) => k.textContent)).toEqual(['ConfigMap (2)', 'CronJob (1)', 'Ingress (1)', 'Secret (1)']);

    const cron = item('CronJob checkout/nightly-report');
    expect(within(cron).getByText('made outside Git')).toBeTruthy();
    expect(within(cron).getByText('missing on prod-eu-green')).toBeTruthy();
    expect(details(cron)).toEqual(['made by kubectl-create 529 d ago; created 529 d ago']);
    expect(cron.querySelector('time')?.getAttribute('title')).toBe('2025-06-14T21:20:00Z');

    const hotfix = item('ConfigMap checkout/checkout-config');
    expect(hotfix.getAttribute('data-drift-class')).toBe('hotfix');
    expect(within(hotfix).getByText('change missing on prod-eu-green')).toBeTruthy();
    expect(details(hotfix)).toEqual(['made by argocd-controller 543 d ago; last changed by kubectl-edit 523 d ago; created 543 d ago; Application checkout', 'fields: data.LOG_LEVEL']);

    // Signed off: still shown, greyed, saying by what.
    const accepted = item('ConfigMap checkout/runbook-notes');
    expect(accepted.className).toContain('greenlight-drift--accepted');
    expect(within(accepted).getByText('accepted')).toBeTruthy();
    expect(details(accepted)[0]).toBe('signed off by annotation; missing on prod-eu-green');

    expect(document.querySelector('[data-drift-counts]')?.getAttribute('data-drift-counts')).toBe('9/1/1/1/10');
    expect(screen.getByText('10 missing on prod-eu-green')).toBeTruthy();
    expect(document.querySelector('[data-drift-pair-wide]')?.textContent).toBe(
      "Pair-wide (cluster-scoped, or in namespaces no Application deploys to): 6 findings: ClusterRoleBinding debug-admin, Namespace ops, ConfigMap default/oncall-contacts, Role ops/debug-pods, RoleBinding ops/debug-pods and 1 more on the pair's page. Other apps: 1 finding in 1 namespace, shown in their own views.",
    );
    expect(screen.getByRole('link', { name: "the pair's page" }).getAttribute('href')).toBe('/argocd/greenlight?pair=prod-eu');
    expect(screen.getByText('greenlight drift --pair prod-eu -o manifests')).toBeTruthy();
  });

  it('never hides what it could not scan', async () => {
    await render(<DriftSection state={ready(served('checkout-green'))} pairHref={pairLink} />);
    const gaps = document.querySelector<HTMLElement>('[data-drift-gaps]') as HTMLElement;
    expect(gaps.textContent).toBe(
      'Not scanned (1 resource type): backups.velero.io on prod-eu-blue (forbidden): backups.velero.io is forbidden: User "system:serviceaccount:argocd:greenlight" cannot list resource "backups" in API group "velero.io" at the cluster scopeFindings there are not known; grant greenlight list on them to audit them.',
    );
  });

  it('shows EBS-bound data with its volume, size, zone, storage class and workloads', async () => {
    await render(<DriftSection state={ready(served('postgres'), 'postgres', ['data'])} pairHref={pairLink} />);
    const claim = item('PersistentVolumeClaim data/data-postgres-0');
    expect(within(claim).getByText('data on EBS')).toBeTruthy();
    expect(claim.querySelector('[data-volume]')?.textContent).toBe(
      'EBS volume vol-0a1b2c3d4e5f60718, 50Gi in eu-west-1a, storage class gp3; used by StatefulSet/postgres. Green cannot attach it: migrate the data.',
    );
  });

  it('says so positively when blue runs nothing Git lacks in the family’s namespaces', async () => {
    await render(<DriftSection state={ready(served('web-green'), 'web', ['apps'])} pairHref={pairLink} />);
    expect(document.querySelector('[data-drift-clean]')?.textContent).toBe('No drift prod-eu-blue runs nothing Git lacks in apps.');
    // The pair's own counts are still there: the family is clean, not the pair.
    expect(screen.getByText('10 missing on prod-eu-green')).toBeTruthy();
  });

  it("shows the service's reason when it has no audit", async () => {
    await render(<DriftSection state={ready(appDrift(factsResponse('web-green')))} pairHref={pairLink} />);
    expect(screen.getByRole('heading', { level: 3 }).textContent).toBe('Drift: what blue runs that Git does not');
    expect(document.querySelector('[data-drift-reason]')?.textContent).toBe(
      'this greenlight service serves no drift audit (it is older than this UI extension): upgrade it, or run "greenlight drift --pair prod-eu"',
    );
  });

  it('keeps long lists bounded: the first 25 findings, a button for the rest, and the count of those not served', async () => {
    const report = driftReport();
    const cron = report.findings.find((f) => f.name === 'nightly-report') as DriftFinding;
    const many = Array.from({ length: 40 }, (_, i) => ({ ...cron, name: `incident-${String(i).padStart(2, '0')}` }));
    const drift = servedDriftFor('checkout-green', driftApplications, { ...report, findings: many });
    if (drift.state !== 'audited') throw new Error(drift.state);
    await render(<DriftSection state={ready({ kind: 'served', pair: 'prod-eu', served: { ...drift, omitted: { app: 260, pairWide: 0 } } })} pairHref={pairLink} />);
    expect(document.querySelectorAll('.greenlight-drift')).toHaveLength(25);
    expect(screen.getByText('300 findings')).toBeTruthy();
    expect(screen.getByText(/and 260 findings more not served/)).toBeTruthy();
    const more = screen.getByRole('button', { name: 'Show 15 more findings' });
    expect(more.getAttribute('aria-expanded')).toBe('false');
    fireEvent.click(more);
    expect(document.querySelectorAll('.greenlight-drift')).toHaveLength(40);
    expect(screen.getByRole('button', { name: 'Show fewer findings' }).getAttribute('aria-expanded')).toBe('true');
  });
});

describe('GateSection', () => {
  const section = () => document.querySelector<HTMLElement>('[data-greenlight-gate]') as HTMLElement;
  const rows = (label: string) =>
    [...(screen.getByRole('table', { name: label }).querySelectorAll('tbody tr') as NodeListOf<HTMLElement>)].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent));

  it('holds with each reason and its evidence, green beside blue, and the split rows that do not match', async () => {
    await render(<GateSection state={{ kind: 'ready', app: 'checkout', gate: gateOf('hold') }} />);
    expect(section().querySelector('[data-decision]')?.getAttribute('data-decision')).toBe('hold');
    expect(section().querySelector('.greenlight-readiness__headline')?.textContent).toBe('Hold next step 80/20 → 50/50 (blue/green) held until the reasons below are fixed');
    const reasons = [...screen.getByRole('list', { name: 'gate reasons' }).children] as HTMLElement[];
    expect(reasons.map((r) => [r.getAttribute('data-check'), r.getAttribute('data-outcome')])).toEqual([
      ['health', 'hold'],
      ['split', 'hold'],
      ['split', 'hold'],
    ]);
    expect(within(reasons[0] as HTMLElement).getByText("prod-eu-green's 5xx ratio is 4.20% against 0.40% on prod-eu-blue, above the threshold of 1.40% (blue × 1 + 1.00%): find out why before moving more traffic")).toBeTruthy();
    // Short evidence is open; a signal's, with its two queries, opens on demand.
    expect((reasons[0] as HTMLElement).querySelector('details')?.open).toBe(false);
    expect((reasons[1] as HTMLElement).querySelector('details')?.open).toBe(true);
    const evidence = (reasons[1] as HTMLElement).querySelector('dl') as HTMLElement;
    expect([...evidence.querySelectorAll('dt')].map((d) => `${d.textContent}=${d.nextElementSibling?.textContent}`)).toEqual([
      'record=shop.example.com. CNAME',
      'zone=Z0123456789ABCDEFGHIJ',
      'cluster=prod-eu-blue',
      'desired=80',
      'actual=100',
      'owner=prod-eu-blue',
      'expected owner=prod-eu-blue',
    ]);
    expect(rows('live health of the pair').map((r) => r.slice(0, 4))).toEqual([
      ['5xx ratio', '0.40%', '4.20%', '1.40%'],
      ['p99 latency', '210 ms', '240 ms', '302 ms'],
      ['container restarts', '0', '0', '1'],
    ]);
    expect(rows('live health in namespace checkout').map((r) => [r[0], r[2]])).toEqual([
      ['5xx ratio', '5.10%'],
      ['container restarts', '4'],
    ]);
    expect(rows('Route 53 split')).toEqual([
      ['prod-eu-blue blue', 'shop.example.com. CNAME', '80', '100', 'prod-eu-blue', 'mismatch'],
      ['prod-eu-green green', 'shop.example.com. CNAME', '20', '0', 'prod-eu-green', 'mismatch'],
    ]);
    expect(document.querySelectorAll('tr.greenlight-row--problem[data-outcome="mismatch"]')).toHaveLength(2);
    expect(screen.getByText('greenlight weight --pair prod-eu --step')).toBeTruthy();
    expect(screen.getByRole('list', { name: 'ExternalDNS' }).textContent).toContain('prod-eu-green: ExternalDNS v0.21.0, reads external-dns.alpha.kubernetes.io/');
  });

  it('says go with the next step when everything holds up', async () => {
    await render(<GateSection state={{ kind: 'ready', app: 'checkout', gate: gateOf('go') }} />);
    expect(section().querySelector('.greenlight-readiness__headline')?.textContent).toBe('Go next step 80/20 → 50/50 (blue/green) may be taken');
    expect(screen.getByText('No reason to hold: every check passed.')).toBeTruthy();
    expect(section().querySelector('[aria-current="step"]')?.textContent).toBe('80/20');
  });

  it('shows green without traffic as "no live evidence yet", never as healthy, and a signal Prometheus did not answer as unknown', async () => {
    await render(<GateSection state={{ kind: 'ready', app: 'checkout', gate: gateOf('first-step') }} />);
    expect(section().querySelector('.greenlight-readiness__headline')?.textContent).toBe(
      'Could not evaluate next step 100/0 → 80/20 (blue/green) not proven safe: greenlight never says go while a check could not be evaluated',
    );
    const health = rows('live health of the pair');
    expect(health.map((r) => [r[0], r[2]])).toEqual([
      ['5xx ratio', 'no traffic'],
      ['p99 latency', 'no traffic'],
      ['container restarts', '—'],
    ]);
    expect(health.map((r) => r[4]?.split(/(?<=yet|unknown)/)[0])).toEqual(['no live evidence yet', 'no live evidence yet', 'unknown']);
    expect(document.querySelectorAll('tr[data-outcome="ok"]')).toHaveLength(2);
  });

  it("shows the service's reason when it has no gate", async () => {
    await render(<GateSection state={{ kind: 'ready', app: 'web', gate: { kind: 'unavailable', pair: 'prod-eu', reason: 'Prometheus is not configured (GREENLIGHT_PROMETHEUS_URL)' } }} />);
    expect(screen.getByText('No traffic gate for pair prod-eu')).toBeTruthy();
    expect(document.querySelector('[data-gate-reason]')?.textContent).toBe('Prometheus is not configured (GREENLIGHT_PROMETHEUS_URL)');
  });
});

describe('FleetReadiness with drift and the gate', () => {
  const line = (scenario: GateScenario): FleetPairReadiness => {
    const facts = { ...factsWithAudit('checkout-green', scenario) };
    const readiness = appReadiness(facts);
    if (readiness.kind !== 'judged') throw new Error(readiness.kind);
    return { kind: 'judged', pair: 'prod-eu', served: readiness.served, audit: { via: { namespace: 'argocd', name: 'checkout', project: 'default' }, drift: appDrift(facts), gate: appGate(facts) } };
  };

  it("shows the gate's decision, the split against the desired one and the reasons, then the drift the asking app may see, other apps counted", async () => {
    await render(<FleetReadiness lines={[line('hold')]} now={NOW} />);
    const gate = document.querySelector<HTMLElement>('[data-gate="served"]') as HTMLElement;
    expect(gate.getAttribute('data-gate-decision')).toBe('hold');
    expect(gate.querySelector('[data-split]')?.textContent).toBe(
      'Route 53: prod-eu-blue 100 (wants 80): mismatch; prod-eu-green 0 (wants 20): mismatch as of 07:58:00; greenlight gate --pair prod-eu shows the evidence.',
    );
    expect([...gate.querySelectorAll('[data-check]')].map((r) => r.getAttribute('data-check'))).toEqual(['health', 'split', 'split']);
    // The fleet line is short: reasons without their evidence.
    expect(gate.querySelector('dl')).toBeNull();

    const drift = document.querySelector<HTMLElement>('[data-drift="served"]') as HTMLElement;
    expect(drift.getAttribute('data-drift-shown')).toBe('11');
    expect(within(drift).getByText('Drift on prod-eu-blue (12 findings)')).toBeTruthy();
    expect([...drift.querySelectorAll('[data-namespace]:not(li)')].map((n) => n.getAttribute('data-namespace'))).toEqual(['', 'checkout', 'default', 'ops']);
    expect([...screen.getByRole('list', { name: "other apps' drift" }).children].map((li) => li.textContent)).toEqual(['data: 1 PersistentVolumeClaim']);
    expect(drift.querySelector('[data-drift-gaps]')).not.toBeNull();
  });

  it('bounds the findings shown per pair', async () => {
    await render(<FleetReadiness lines={[line('go')]} now={NOW} maxFindings={4} />);
    expect(document.querySelectorAll('[data-drift="served"] .greenlight-drift')).toHaveLength(4);
    expect(screen.getByRole('button', { name: 'Show 7 more findings' })).toBeTruthy();
  });
});

describe('containers', () => {
  const setup = (facts: (app: string) => FactsResponse) => {
    const argo = fakeArgo({ applications: driftApplications, clusters, facts });
    return { argo, client: createApiClient({ baseUri: () => BASE, fetch: argo.fetch, timeoutMs: 2000 }) };
  };
  const checkoutGreen = driftApplications.find((a) => a.metadata.name === 'checkout-green') as HostApplication;

  it('the Parity view shows drift and the gate from the facts answer it already loads, with no request of their own', async () => {
    const { argo, client } = setup((app) => factsWithAudit(app.split(':')[1], 'hold'));
    await render(<ParityAppView application={checkoutGreen} client={client} />);
    await screen.findByText('Drift on prod-eu-blue');
    await waitFor(() => expect(document.querySelector('[data-greenlight-gate="served"] [data-decision="hold"]')).not.toBeNull());
    // The family's namespaces, from its Applications.
    expect(screen.getByText('5 findings').parentElement?.textContent).toBe('5 findings for checkout in checkout');
    expect(screen.getByRole('table', { name: 'live health in namespace checkout' })).toBeTruthy();
    expect(argo.calls.filter((c) => c.url.includes('extensions/'))).toHaveLength(1);
  });

  it('the Parity view says what an older service does not serve', async () => {
    const { client } = setup((app) => factsResponse(app.split(':')[1], driftApplications));
    await render(<ParityAppView application={checkoutGreen} client={client} />);
    await waitFor(() => expect(document.querySelector('[data-drift-reason]')).not.toBeNull());
    expect(document.querySelector('[data-gate-reason]')?.textContent).toBe('this greenlight service serves no traffic gate (it is older than this UI extension): upgrade it, or run "greenlight gate --pair prod-eu"');
  });

  it("the Parity view's drift and gate sections point to the facts section when greenlight cannot be reached through Argo CD's proxy", async () => {
    const argo = fakeArgo({ applications: driftApplications, clusters });
    await render(<ParityAppView application={checkoutGreen} client={createApiClient({ baseUri: () => BASE, fetch: argo.fetch, timeoutMs: 2000 })} />);
    await waitFor(() => expect(document.querySelector('[data-drift-problem]')).not.toBeNull());
    expect(document.querySelector('[data-drift-problem]')?.textContent).toBe(
      `The drift audit comes with the facts of this cluster pair, which greenlight serves through Argo CD's proxy extensionArgo CD's proxy extension has no "greenlight" backend; "Cluster facts" below says why and what to set up.`,
    );
    expect(document.querySelector('[data-gate-problem]')?.getAttribute('data-gate-problem')).toBe('extension-not-configured');
  });

  it("the Blue/Green page shows each pair's gate and drift from the one request per pair it makes for readiness", async () => {
    const { argo, client } = setup((app) => factsWithAudit(app.split(':')[1], 'hold'));
    await render(<FleetPage client={client} />);
    await waitFor(() => expect(document.querySelector('[data-pair="prod-eu"] [data-gate-decision="hold"]')).not.toBeNull());
    expect(document.querySelector('[data-pair="prod-eu"] [data-drift="served"]')).not.toBeNull();
    expect(argo.calls.filter((c) => c.url.includes('extensions/')).map((c) => c.headers['argocd-application-name'])).toEqual(['argocd:checkout']);
  });
});
