import { fireEvent, screen, waitFor, within } from '@testing-library/dom';
import * as React from 'react';
import { describe, expect, it, vi } from 'vitest';
import { createApiClient } from '../../../ui-extension/api-client.js';
import { FleetPage } from '../../../ui-extension/containers/fleet-container.js';
import { ParityAppView } from '../../../ui-extension/containers/parity-container.js';
import { StatusPanelItem } from '../../../ui-extension/containers/status-panel-container.js';
import type { HostApplication } from '../../../ui-extension/host.js';
import { BASE, fakeArgo, type FakeArgo } from './support/fake-argocd-fetch.js';
import { app, applications, clusters, factsResponse, GREEN } from './support/fixtures.js';
import { render } from './support/render.js';

function setup(init: Parameters<typeof fakeArgo>[0] = {}): { argo: FakeArgo; client: ReturnType<typeof createApiClient> } {
  const argo = fakeArgo({ applications, clusters, facts: (app) => factsResponse(app.split(':')[1]), ...init });
  return { argo, client: createApiClient({ baseUri: () => BASE, fetch: argo.fetch, timeoutMs: 2000 }) };
}

const webGreen = applications.find((a) => a.metadata.name === 'web-green') as HostApplication;
const rowOf = (cluster: string) => document.querySelector<HTMLElement>(`[data-greenlight-view="parity"] tr[data-cluster="${cluster}"]`) as HTMLElement;

describe('ParityAppView', () => {
  it("loads the app's family with the user's session, relative to Argo CD's base, then shows it with the facts diff", async () => {
    const { argo, client } = setup();
    argo.hold = true;
    await render(<ParityAppView application={webGreen} client={client} />);
    expect(screen.getByText('Loading this app on every cluster…')).toBeTruthy();
    expect(screen.getByText('Loading the facts of this cluster pair…')).toBeTruthy();
    argo.hold = false;
    argo.release();
    await screen.findByText('web: 2/2 at parity');
    expect(within(rowOf('prod-eu-green')).getByText('at parity')).toBeTruthy();
    await screen.findByText('Facts: prod-eu-blue vs prod-eu-green');

    const apps = argo.calls.find((c) => c.url.includes('api/v1/applications?'));
    const url = new URL(apps?.url ?? '');
    expect(url.origin + url.pathname).toBe('http://argocd.test/argocd/api/v1/applications');
    expect(url.searchParams.get('selector')).toBe('greenlight.io/app=web');
    // Argo CD 3.5 lists the synced revision; the last sync attempt's result is never asked for.
    expect(url.searchParams.get('fields')?.split(',')).toContain('items.status.sync.revision');
    expect(url.searchParams.get('fields')?.split(',')).not.toContain('items.status.operationState.operation.sync');
    const facts = argo.calls.find((c) => c.url.includes('extensions/'));
    expect(facts?.url).toBe('http://argocd.test/argocd/extensions/greenlight/api/v1/facts');
    expect(facts?.headers).toMatchObject({ 'argocd-application-name': 'argocd:web-green', 'argocd-project-name': 'default' });
  });

  it("shows why the viewed app's sync failed and its revision from the host's full object, which the list API trims", async () => {
    const failed = (message?: string) => {
      const base = app('web-green', { family: 'web', server: GREEN });
      const status = base.status ?? {};
      return {
        ...base,
        status: {
          ...status,
          sync: { status: 'OutOfSync', ...(message ? { revision: 'c0ffee0000000000000000000000000000000000' } : {}) },
          operationState: { ...status.operationState, phase: 'Failed', ...(message ? { message } : {}) },
        },
      };
    };
    // As the list API answers: no operationState.message, no sync.revision (Argo CD before 3.5).
    const { client } = setup({ applications: [...applications.filter((a) => a.metadata.name !== 'web-green'), failed()] });
    const host = failed('one or more objects failed to apply, reason: admission webhook denied the request') as HostApplication;
    await render(<ParityAppView application={host} client={client} />);
    await screen.findByText('web: 1/2 at parity');
    const row = rowOf('prod-eu-green');
    expect(row.textContent).toContain('last sync failed: one or more objects failed to apply, reason: admission webhook denied the request');
  });

  it('explains how to add the label when the app has no family, and still shows the facts', async () => {
    const { client } = setup();
    const lonely = applications.find((a) => a.metadata.name === 'legacy-cron') as HostApplication;
    await render(<ParityAppView application={lonely} client={client} />);
    await screen.findByText('legacy-cron has no app family');
    expect(screen.getByText(/greenlight.io\/app: <app name, the same on every cluster>/)).toBeTruthy();
    await screen.findByText('Facts: prod-eu-blue vs prod-eu-green');
  });

  it('shows the error with a retry that recovers', async () => {
    const { argo, client } = setup();
    argo.failures.set('api/v1/applications', [{ status: 500, body: '{"error":"etcdserver: request timed out","code":14,"message":"etcdserver: request timed out"}' }]);
    await render(<ParityAppView application={webGreen} client={client} />);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain("greenlight could not load this app's clusters");
    expect(alert.textContent).toContain("Argo CD's Applications API answered 500: etcdserver: request timed out");
    fireEvent.click(within(alert).getByRole('button', { name: 'Retry' }));
    await screen.findByText('web: 2/2 at parity');
  });

  it('says how to enable the proxy extension where it is not configured, and the rest still works', async () => {
    const { client } = setup({ facts: { status: 200, body: '<!doctype html><html><head><base href="/argocd/"></head><body><div id="app"></div></body></html>', contentType: 'text/html' } });
    await render(<ParityAppView application={webGreen} client={client} />);
    await screen.findByText("The facts diff needs Argo CD's proxy extension, which is not enabled");
    await screen.findByText('web: 2/2 at parity');
    expect(document.querySelector('[data-facts-problem]')?.getAttribute('data-facts-problem')).toBe('proxy-disabled');
  });

  it.each([
    [{ status: 404, body: 'Extension not found\n', contentType: 'text/plain' }, 'extension-not-configured'],
    [{ status: 401, body: 'Unauthorized extension request\n', contentType: 'text/plain' }, 'not-authorized'],
    [{ status: 502, body: '', contentType: 'text/plain' }, 'backend-unreachable'],
    [{ status: 403, body: '{"message":"the Greenlight-Proxy-Secret header does not hold greenlight\'s proxy secret","code":"GL_AUTH_INVALID"}' }, 'greenlight'],
  ])('reads what Argo CD answered for the facts: %o → %s', async (facts, kind) => {
    const { client } = setup({ facts });
    await render(<ParityAppView application={webGreen} client={client} />);
    await waitFor(() => expect(document.querySelector('[data-facts-problem]')?.getAttribute('data-facts-problem')).toBe(kind));
  });

  it('groups by ApplicationSet and source when there is no label, and says when ApplicationSets cannot be read', async () => {
    const images = ['ghcr.io/example/guestbook:0.9.0'];
    const blue = app('guestbook-blue', { owner: 'guestbook', images });
    const green = app('guestbook-green', { server: GREEN, images });
    const { argo, client } = setup({
      applications: [...applications, { ...blue, metadata: { ...blue.metadata, ownerReferences: null } }, green],
      applicationSets: [{ metadata: { name: 'guestbook', namespace: 'argocd' }, status: { resources: [{ kind: 'Application', name: 'guestbook-green', namespace: 'argocd' }] } }],
    });
    const first = await render(<ParityAppView application={blue} client={client} />);
    await waitFor(() => expect(document.querySelector('h3')?.textContent).toBe('guestbook · guestbook: 2/2 at parity'));
    await first.unmount();

    argo.failures.set('api/v1/applicationsets', [{ status: 403, body: '{"error":"permission denied","code":7,"message":"permission denied"}' }]);
    // Another page load (a page's loads are shared for a moment).
    const later = createApiClient({ baseUri: () => BASE, fetch: argo.fetch, timeoutMs: 2000 });
    await render(<ParityAppView application={blue} client={later} />);
    await screen.findByText('guestbook · guestbook: 1/2 at parity');
    expect(screen.getByText(/greenlight could not read ApplicationSets \(Argo CD's ApplicationSets API answered 403/)).toBeTruthy();
  });

  it("shows the service's verdict from the facts answer it already read: the family's own findings, the pair's counts", async () => {
    const { argo, client } = setup();
    const reports = applications.find((a) => a.metadata.name === 'reports-blue') as HostApplication;
    await render(<ParityAppView application={reports} client={client} />);
    const section = await waitFor(() => {
      const found = document.querySelector<HTMLElement>('[data-greenlight-readiness="judged"]');
      if (!found) throw new Error('no verdict yet');
      return found;
    });
    // Its own removed API; payments-api's SSM key and Pod Identity are counted, not listed as its own.
    expect(within(section).getByText('1 blocker')).toBeTruthy();
    const blockers = within(section).getByRole('list', { name: 'blockers' });
    expect([...blockers.querySelectorAll('li')].map((li) => li.getAttribute('data-subject'))).toEqual([
      'argocd/reports-blue: flowcontrol.apiserver.k8s.io/v1beta3 FlowSchema reports-batch',
    ]);
    expect(section.querySelector('[data-pair-counts]')?.getAttribute('data-pair-counts')).toBe('3/0');
    expect(section.querySelector('[data-pair-counts]')?.textContent).toContain('(1 blocker for reports, nothing pair-wide, 2 blockers for other apps, shown in their own views)');
    // One facts call for the readiness and the facts diff, naming the viewed Application.
    const proxied = argo.calls.filter((c) => c.url.includes('extensions/'));
    expect(proxied.map((c) => c.headers['argocd-application-name'])).toEqual(['argocd:reports-blue']);
    await screen.findByText('Facts: prod-eu-blue vs prod-eu-green');
  });

  it('says readiness needs the proxy extension where the facts cannot be read', async () => {
    const { client } = setup({ facts: { status: 404, body: 'Extension not found\n', contentType: 'text/plain' } });
    await render(<ParityAppView application={webGreen} client={client} />);
    const note = await waitFor(() => {
      const found = document.querySelector<HTMLElement>('[data-readiness-problem]');
      if (!found) throw new Error('no note yet');
      return found;
    });
    expect(note.getAttribute('data-readiness-problem')).toBe('extension-not-configured');
    expect(note.textContent).toContain("Readiness needs the facts of this cluster pair, which greenlight serves through Argo CD's proxy extension");
    expect(note.textContent).toContain('Argo CD\'s proxy extension has no "greenlight" backend; "Cluster facts" below says why and what to set up.');
  });

  it('refuses an Application it cannot read, without failing the page', async () => {
    const { client } = setup();
    await render(<ParityAppView application={{ metadata: { name: '' } } as HostApplication} client={client} />);
    expect(screen.getByRole('alert').textContent).toContain('Argo CD passed an Application greenlight cannot read (metadata.name:');
  });
});

describe('StatusPanelItem', () => {
  it('reads "green: converged" for a converged green app and opens the flyout', async () => {
    const { client } = setup();
    const openFlyout = vi.fn();
    await render(<StatusPanelItem application={webGreen} openFlyout={openFlyout} client={client} />);
    fireEvent.click(await screen.findByRole('button', { name: 'green: converged' }));
    expect(openFlyout).toHaveBeenCalledTimes(1);
  });

  it('reads "1/2 at parity" when green is unhealthy', async () => {
    const { client } = setup();
    const payments = applications.find((a) => a.metadata.name === 'payments-api-green') as HostApplication;
    await render(<StatusPanelItem application={payments} openFlyout={() => {}} client={client} />);
    await screen.findByRole('button', { name: '1/2 at parity' });
  });

  it("shares one load of the family with the page's Parity view: Argo CD is asked once", async () => {
    const { argo, client } = setup();
    await render(
      <>
        <StatusPanelItem application={webGreen} openFlyout={() => {}} client={client} />
        <ParityAppView application={webGreen} client={client} />
      </>,
    );
    await screen.findByRole('button', { name: 'green: converged' });
    await screen.findByText('web: 2/2 at parity');
    expect(argo.calls.filter((c) => c.url.includes('api/v1/clusters'))).toHaveLength(1);
    expect(argo.calls.filter((c) => c.url.includes('api/v1/applications?'))).toHaveLength(1);
  });

  it('says parity is unknown, and why, when Argo CD fails', async () => {
    const { argo, client } = setup();
    argo.failures.set('api/v1/clusters', [{ status: 403, body: '{"error":"permission denied","code":7,"message":"permission denied"}' }]);
    await render(<StatusPanelItem application={webGreen} openFlyout={() => {}} client={client} />);
    await screen.findByText('parity unknown');
    expect(screen.getByRole('alert').textContent).toContain("Argo CD's clusters API answered 403 (Argo CD RBAC does not allow this for your account): permission denied");
    fireEvent.click(screen.getByRole('button', { name: 'Retry' }));
    await screen.findByRole('button', { name: 'green: converged' });
  });
});

describe('FleetPage', () => {
  it('loads every family, with counts and the Applications it could not group', async () => {
    const { argo, client } = setup();
    await render(<FleetPage client={client} />);
    await screen.findByText('Blue/Green parity');
    expect(document.querySelector('[data-count="families"] .greenlight-count__value')?.textContent).toBe('3');
    expect(screen.getByText(/1 Application without a family is not shown/)).toBeTruthy();
    const listCall = argo.calls.find((c) => c.url.includes('api/v1/applications?'));
    expect(new URL(listCall?.url ?? '').searchParams.get('selector')).toBeNull();
    // An unlabelled Application makes greenlight ask who generated it.
    expect(argo.calls.some((c) => c.url.includes('api/v1/applicationsets'))).toBe(true);
  });

  it("shows each pair's verdict from greenlight, asked once through the pair's first Application, and one clusters request", async () => {
    const { argo, client } = setup();
    await render(<FleetPage client={client} />);
    await screen.findByText('Blue/Green parity');
    const line = await waitFor(() => {
      const found = document.querySelector<HTMLElement>('.greenlight-readiness-line[data-pair="prod-eu"][data-readiness="judged"]');
      if (!found) throw new Error('no verdict yet');
      return found;
    });
    expect(line.getAttribute('data-pair-counts')).toBe('3/0');
    expect(within(line).getByText('3 blockers')).toBeTruthy();
    expect(line.textContent).toContain('prod-eu-blue (1.31) → prod-eu-green (1.32)');
    const first = [...applications].map((a) => a.metadata.name).sort()[0];
    expect(argo.calls.filter((c) => c.url.includes('extensions/')).map((c) => c.headers['argocd-application-name'])).toEqual([`argocd:${first}`]);
    expect(argo.calls.filter((c) => c.url.includes('api/v1/clusters'))).toHaveLength(1);
  });

  it("says why a pair has no verdict where greenlight cannot be asked through Argo CD's proxy", async () => {
    const { client } = setup({ facts: { status: 404, body: 'Extension not found\n', contentType: 'text/plain' } });
    await render(<FleetPage client={client} />);
    await screen.findByText('Blue/Green parity');
    const line = await waitFor(() => {
      const found = document.querySelector<HTMLElement>('.greenlight-readiness-line[data-pair="prod-eu"][data-readiness="unavailable"]');
      if (!found) throw new Error('no answer yet');
      return found;
    });
    const first = [...applications].map((a) => a.metadata.name).sort()[0];
    expect(line.textContent).toContain(`greenlight could not be asked through Argo CD's proxy extension (via Application argocd/${first}): Argo CD answered 404 "Extension not found"`);
  });

  it('shows the error and retries', async () => {
    const { argo, client } = setup();
    argo.failures.set('api/v1/applications', [{ status: 401, body: '{"error":"invalid session: token has invalid claims: token is expired","code":16}' }]);
    await render(<FleetPage client={client} />);
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('greenlight could not load the fleet');
    expect(alert.textContent).toContain('answered 401 (your Argo CD session may have expired: log in again): invalid session: token has invalid claims: token is expired');
    fireEvent.click(within(alert).getByRole('button', { name: 'Retry' }));
    await screen.findByText('Blue/Green parity');
  });
});
