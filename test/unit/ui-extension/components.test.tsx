import { fireEvent, screen, within } from '@testing-library/dom';
import * as React from 'react';
import { afterEach, describe, expect, it, onTestFinished, vi } from 'vitest';
import { buildFleet } from '../../../generator/parity.js';
import { ErrorBoundary } from '../../../ui-extension/components/error-boundary.js';
import { FactsDiff } from '../../../ui-extension/components/facts-diff.js';
import { FleetOverview } from '../../../ui-extension/components/fleet-overview.js';
import { ParityView } from '../../../ui-extension/components/parity-view.js';
import { ProxyHelp } from '../../../ui-extension/components/proxy-help.js';
import { EmptyState, ErrorState, Loading } from '../../../ui-extension/components/states.js';
import { StatusItem } from '../../../ui-extension/components/status-item.js';
import { app, applications, clusters, factsResponse, GREEN, SHA_B } from './support/fixtures.js';
import { render } from './support/render.js';

const NOW = Date.parse('2026-11-26T08:00:00Z');
const href = (a: { namespace: string; name: string }) => `/argocd/applications/${a.namespace}/${a.name}`;
const fleet = buildFleet({ applications, clusters });
const family = (name: string) => {
  const f = fleet.families.find((x) => x.id.name === name);
  if (!f) throw new Error(`no family ${name}`);
  return f;
};
const rowOf = (cluster: string) => {
  const row = document.querySelector<HTMLElement>(`tr[data-cluster="${cluster}"]`);
  if (!row) throw new Error(`no row for ${cluster}`);
  return row;
};

afterEach(() => {
  vi.restoreAllMocks();
});

describe('ParityView', () => {
  it('shows every cluster of the pair with role, weight, status, revision, images, last operation and verdict', async () => {
    await render(<ParityView family={family('web')} current={{ namespace: 'argocd', name: 'web-green' }} appHref={href} now={NOW} />);
    expect(screen.getByRole('heading').textContent).toBe('web: 2/2 at parity');
    const green = within(rowOf('prod-eu-green'));
    expect(green.getByText('green', { selector: '.greenlight-role--green' })).toBeTruthy();
    expect(green.getByText('0')).toBeTruthy();
    expect(green.getByText('Synced')).toBeTruthy();
    expect(green.getByText('Healthy')).toBeTruthy();
    expect(green.getByText('1a2b3c4')).toBeTruthy();
    // Identifiers wrap only at separators; the whole value is their tooltip.
    expect(green.getByTitle('ghcr.io/example/web:1.4.2').textContent).toBe('web:1.4.2');
    expect(green.getByText('5 min ago')).toBeTruthy();
    expect(green.getByText('at parity')).toBeTruthy();
    expect(green.getByText('same revision and images as prod-eu-blue')).toBeTruthy();
    expect(rowOf('prod-eu-green').className).toBe('greenlight-row--current');
    expect(within(rowOf('prod-eu-blue')).getByText('baseline')).toBeTruthy();
    expect(within(rowOf('prod-eu-blue')).getByRole('link').getAttribute('href')).toBe('/argocd/applications/argocd/web-blue');
  });

  it('names what is wrong on a cell: unhealthy, missing, other revision', async () => {
    const f = buildFleet({
      clusters,
      applications: [...applications, app('search-blue', { family: 'search' }), app('search-green', { family: 'search', server: GREEN, revision: SHA_B })],
    });
    const pick = (name: string) => f.families.find((x) => x.id.name === name) ?? family(name);
    const { unmount } = await render(<ParityView family={pick('payments-api')} current={{ namespace: 'argocd', name: 'payments-api-green' }} appHref={href} now={NOW} />);
    expect(within(rowOf('prod-eu-green')).getByText('unhealthy')).toBeTruthy();
    expect(within(rowOf('prod-eu-green')).getByText('health is Degraded')).toBeTruthy();
    await unmount();
    const second = await render(<ParityView family={pick('reports')} current={{ namespace: 'argocd', name: 'reports-blue' }} appHref={href} now={NOW} />);
    expect(within(rowOf('prod-eu-green')).getByText('missing')).toBeTruthy();
    expect(within(rowOf('prod-eu-green')).getByText('none')).toBeTruthy();
    await second.unmount();
    await render(<ParityView family={pick('search')} current={{ namespace: 'argocd', name: 'search-green' }} appHref={href} now={NOW} />);
    expect(within(rowOf('prod-eu-green')).getByText('other revision')).toBeTruthy();
    expect(within(rowOf('prod-eu-green')).getByText("revision 9f8e7d6 ≠ prod-eu-blue's 1a2b3c4")).toBeTruthy();
  });

  it('shows notices and a refresh button', async () => {
    const onRefresh = vi.fn();
    await render(<ParityView family={family('web')} current={{ namespace: 'argocd', name: 'web-blue' }} appHref={href} now={NOW} notices={['could not read ApplicationSets']} onRefresh={onRefresh} />);
    expect(screen.getByText('could not read ApplicationSets')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Refresh' }));
    expect(onRefresh).toHaveBeenCalledTimes(1);
  });
});

describe('FactsDiff', () => {
  it('shows blue and green side by side and separates unexpected from expected differences', async () => {
    await render(<FactsDiff response={factsResponse()} now={NOW} />);
    const side = screen.getByRole('table', { name: 'facts of prod-eu-blue and prod-eu-green' });
    expect(within(side).getByText(/^prod-eu-blue/)).toBeTruthy();
    expect(within(side).getByText(/^prod-eu-green/)).toBeTruthy();
    expect(within(side).getByTitle('1.31 (v1.31.4-eks-2d5f260)')).toBeTruthy();
    expect(within(side).getByTitle('1.32 (v1.32.1-eks-5d4a308)').parentElement?.getAttribute('data-differs')).toBe('true');
    const unexpected = screen.getByRole('list', { name: 'unexpected differences' });
    const subjects = [...unexpected.querySelectorAll('li')].map((li) => li.getAttribute('data-subject'));
    expect(subjects).toEqual([
      'kubernetes.minor',
      'eks.authenticationMode',
      'addon:kube-proxy',
      'storageclass:gp2',
      'api:flowcontrol.apiserver.k8s.io/v1beta3',
      'ssm:payments/stripe-api-key',
      'podidentity:payments/payments-api',
    ]);
    const pod = unexpected.querySelector('[data-subject="podidentity:payments/payments-api"]') as HTMLElement;
    expect(within(pod).getByText('Pod Identity payments/payments-api')).toBeTruthy();
    expect(within(pod).getByText('(none)')).toBeTruthy();
    const expected = screen.getByRole('list', { name: 'expected differences' });
    expect(within(expected).getByText('OIDC issuer')).toBeTruthy();
    expect(within(expected).getByText('API endpoint')).toBeTruthy();
    expect(screen.getByText('Expected differences (12)')).toBeTruthy();
  });

  it('explains how to pair a cluster that has no pair', async () => {
    const response = { ...factsResponse(), pair: null, comparisons: [] };
    await render(<FactsDiff response={response} now={NOW} />);
    expect(screen.getByText('prod-eu-green is not part of a blue/green pair')).toBeTruthy();
    expect(screen.getByRole('note').textContent).toContain('greenlight.io/pair');
  });

  it("says which member's facts could not be read", async () => {
    const response = factsResponse();
    const [blue, green] = response.members;
    if (!blue || !green) throw new Error('fixture');
    const failed = { ...response, members: [{ ...blue, facts: null, error: { code: 'GL_FACTS_UNAVAILABLE', message: 'EKS DescribeCluster: AccessDenied' } }, green], comparisons: [] };
    await render(<FactsDiff response={failed} now={NOW} />);
    expect(screen.getByRole('alert').textContent).toBe('greenlight could not read the facts of prod-eu-blue: EKS DescribeCluster: AccessDenied');
    expect(screen.getByText('Nothing to compare in pair prod-eu')).toBeTruthy();
  });
});

describe('ProxyHelp', () => {
  it('says how to enable the proxy extension, then configure and allow it', async () => {
    await render(<ProxyHelp problem={{ kind: 'proxy-disabled', detail: 'Argo CD answered 200 with its web page' }} />);
    const text = screen.getByRole('note').textContent ?? '';
    expect(text).toContain("The facts diff needs Argo CD's proxy extension, which is not enabled");
    expect(text).toContain('server.enable.proxy.extension: "true"');
    expect(text).toContain('extension.config.greenlight');
    expect(text).toContain('Greenlight-Proxy-Secret');
    expect(text).toContain('extensions, invoke, greenlight, allow');
    expect(text).toContain("Everything else in greenlight's views works without it.");
  });

  it('asks only for what is missing', async () => {
    const { unmount } = await render(<ProxyHelp problem={{ kind: 'not-authorized', detail: 'Argo CD answered 401' }} />);
    expect(screen.getByRole('note').textContent).not.toContain('server.enable.proxy.extension');
    expect(screen.getByRole('note').textContent).toContain('extensions, invoke, greenlight, allow');
    await unmount();
    const onRetry = vi.fn();
    await render(<ProxyHelp problem={{ kind: 'greenlight', detail: 'facts of cluster "x" could not be read', code: 'GL_FACTS_UNAVAILABLE' }} onRetry={onRetry} />);
    expect(screen.getByRole('note').textContent).toContain('facts of cluster "x" could not be read (GL_FACTS_UNAVAILABLE).');
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(onRetry).toHaveBeenCalled();
  });
});

describe('StatusItem', () => {
  it('shows the summary and opens the flyout', async () => {
    const onOpen = vi.fn();
    await render(<StatusItem state={{ kind: 'ready', summary: { text: 'green: converged', tone: 'ok', atParity: 2, total: 2 }, family: 'web' }} onOpen={onOpen} />);
    const value = screen.getByRole('button', { name: 'green: converged' });
    fireEvent.click(value);
    expect(onOpen).toHaveBeenCalledTimes(1);
    expect(screen.getByText('app web')).toBeTruthy();
    // The detail is in the tooltip; the state's dot is in Argo CD's colour class for it.
    expect(value.getAttribute('title')).toBe("app web: 2 of 2 clusters at parity. Open the Parity view for each cluster's verdict.");
    expect(value.querySelector('.greenlight-status__dot--ok')).toBeTruthy();
    // No inline style of ours on the host's title: the stylesheet styles it like Argo CD's titles.
    expect(document.querySelector('.greenlight-status__title')?.getAttribute('style')).toBeNull();
  });

  it('shows loading, no family and errors with a retry that does not open the flyout', async () => {
    const onOpen = vi.fn();
    const onRetry = vi.fn();
    const view = await render(<StatusItem state={{ kind: 'loading' }} onOpen={onOpen} />);
    expect(screen.getByText('checking…')).toBeTruthy();
    await view.rerender(<StatusItem state={{ kind: 'no-family' }} onOpen={onOpen} />);
    expect(screen.getByText('unlabelled').getAttribute('title')).toBe(
      'greenlight does not know which app this is on the other clusters: add the label greenlight.io/app (the same value on every cluster). Open for how.',
    );
    await view.rerender(<StatusItem state={{ kind: 'error', message: "Argo CD's clusters API answered 403" }} onOpen={onOpen} onRetry={onRetry} />);
    expect(screen.getByRole('alert').textContent).toBe("Argo CD's clusters API answered 403");
    expect(screen.getByRole('alert').getAttribute('title')).toBe("Argo CD's clusters API answered 403");
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(onRetry).toHaveBeenCalledTimes(1);
    expect(onOpen).not.toHaveBeenCalled();
  });
});

describe('FleetOverview', () => {
  it('counts families and cells, and lists every family × cluster', async () => {
    await render(<FleetOverview fleet={fleet} appHref={href} now={NOW} />);
    const count = (label: string) => document.querySelector(`[data-count="${label}"] .greenlight-count__value`)?.textContent;
    expect(count('families')).toBe('3');
    expect(count('at parity')).toBe('1');
    expect(count('not at parity')).toBe('2');
    expect(count('missing')).toBe('1');
    expect(count('unhealthy or failed')).toBe('1');
    expect(document.querySelectorAll('tbody tr')).toHaveLength(6);
    expect(screen.getByText(/1 Application without a family is not shown/)).toBeTruthy();
  });

  it('filters by parity, pair, role and search', async () => {
    await render(<FleetOverview fleet={fleet} appHref={href} now={NOW} />);
    const families = () => [...new Set([...document.querySelectorAll('tbody tr')].map((r) => r.getAttribute('data-family')))];
    fireEvent.click(screen.getByLabelText('Not at parity only'));
    expect(families()).toEqual(['payments-api', 'reports']);
    fireEvent.change(screen.getByLabelText('Role'), { target: { value: 'green' } });
    expect([...document.querySelectorAll('tbody tr')].map((r) => r.getAttribute('data-cluster'))).toEqual(['prod-eu-green', 'prod-eu-green']);
    fireEvent.change(screen.getByLabelText('Search'), { target: { value: 'REPORTS' } });
    expect(families()).toEqual(['reports']);
    fireEvent.change(screen.getByLabelText('Pair'), { target: { value: 'prod-eu' } });
    expect(families()).toEqual(['reports']);
    fireEvent.change(screen.getByLabelText('Search'), { target: { value: 'no such app' } });
    expect(screen.getByText('No family matches these filters')).toBeTruthy();
  });

  it('pages through thousands of families', async () => {
    const many = [];
    for (let i = 0; i < 120; i++) many.push(app(`app-${String(i).padStart(3, '0')}-blue`, { family: `app-${String(i).padStart(3, '0')}` }));
    await render(<FleetOverview fleet={buildFleet({ applications: many, clusters })} appHref={href} now={NOW} pageSize={50} />);
    expect(screen.getByText('Page 1 of 3')).toBeTruthy();
    expect(document.querySelector('tbody tr')?.getAttribute('data-family')).toBe('app-000');
    fireEvent.click(screen.getByRole('button', { name: 'Next' }));
    expect(screen.getByText('Page 2 of 3')).toBeTruthy();
    expect(document.querySelector('tbody tr')?.getAttribute('data-family')).toBe('app-050');
    fireEvent.change(screen.getByLabelText('Search'), { target: { value: 'app-11' } });
    expect(screen.queryByText(/Page \d of/)).toBeNull();
    expect(screen.getByText('10 families shown')).toBeTruthy();
  });

  it('explains the label when there is no family at all', async () => {
    await render(<FleetOverview fleet={buildFleet({ applications: [], clusters })} appHref={href} now={NOW} />);
    expect(screen.getByText('No app families yet')).toBeTruthy();
    expect(screen.getByRole('note').textContent).toContain('greenlight.io/app');
  });
});

describe('states', () => {
  it('loading, error with retry, empty', async () => {
    const onRetry = vi.fn();
    await render(
      <div>
        <Loading what='the fleet' />
        <ErrorState title='could not load' message="Argo CD's Applications API answered 500: boom" onRetry={onRetry} />
        <EmptyState title='nothing here'>
          <p>do this</p>
        </EmptyState>
      </div>,
    );
    expect(screen.getByRole('status').textContent).toContain('Loading the fleet…');
    expect(screen.getByRole('alert').textContent).toContain("Argo CD's Applications API answered 500: boom");
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    expect(onRetry).toHaveBeenCalledTimes(1);
    expect(screen.getByRole('note').textContent).toBe('nothing heredo this');
  });
});

describe('ErrorBoundary', () => {
  it('contains a throwing component, says what failed, and tries again', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    // React 16 rethrows caught render errors through a window error event in development; jsdom would print it.
    const quiet = (e: ErrorEvent) => e.preventDefault();
    window.addEventListener('error', quiet);
    onTestFinished(() => window.removeEventListener('error', quiet));
    let fail = true;
    function Fragile() {
      if (fail) throw new Error('cannot read properties of undefined');
      return <p>recovered</p>;
    }
    await render(
      <div>
        <p>host content</p>
        <ErrorBoundary title='Parity view'>
          <Fragile />
        </ErrorBoundary>
      </div>,
    );
    expect(screen.getByRole('alert').textContent).toContain("greenlight's Parity view failed: cannot read properties of undefined");
    expect(screen.getByText('host content')).toBeTruthy();
    expect(logged.mock.calls.some((c) => String(c[0]).includes('greenlight: the Parity view failed'))).toBe(true);
    fail = false;
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText('recovered')).toBeTruthy();
  });

  it('adds greenlight styles to the page once', async () => {
    await render(
      <ErrorBoundary title='a'>
        <ErrorBoundary title='b'>
          <p>x</p>
        </ErrorBoundary>
      </ErrorBoundary>,
    );
    expect(document.querySelectorAll('#greenlight-styles')).toHaveLength(1);
    expect(document.getElementById('greenlight-styles')?.textContent).toContain('.theme-dark .greenlight {');
  });
});



