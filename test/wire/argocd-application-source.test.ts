/**
 * ArgoCdApplicationSource over the wire: @kubernetes/client-node's CustomObjectsApi against the
 * fake kube-apiserver's `applications.argoproj.io` list (limit/continue paging, RBAC refusals).
 */
import { rejection } from '../support/rejection.js';
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { TimeoutError } from '../../generator/index.js';
import { ArgoCdApplicationSource } from '../../plugin/adapters/argocd/application-source.js';
import { FakeKubeApiServer } from '../support/fake-kube-apiserver.js';

let argocd: FakeKubeApiServer;
let api: CustomObjectsApi;

const never = () => new AbortController().signal;

const failure = rejection;

beforeAll(async () => {
  argocd = await FakeKubeApiServer.start({ auth: { bearerTokens: { 'fake-kube-token-not-secret': 'system:serviceaccount:argocd:greenlight' } } });
  const kc = new KubeConfig();
  kc.loadFromClusterAndUser({ name: 'argocd', server: argocd.url, skipTLSVerify: true }, { name: 'greenlight', token: 'fake-kube-token-not-secret' });
  api = kc.makeApiClient(CustomObjectsApi);
  for (let i = 0; i < 7; i++) {
    argocd.putApplication({
      name: `app-${i}`,
      labels: { 'greenlight.io/app': `app-${i}` },
      spec: { project: 'default', destination: { server: 'https://green.example.com', namespace: 'apps' }, source: { repoURL: 'https://example.com/apps.git', path: `apps/${i}` } },
      status: {
        sync: { status: 'Synced', revision: 'abc' },
        health: { status: 'Healthy' },
        resources: [{ group: 'batch', version: 'v1beta1', kind: 'CronJob', namespace: 'apps', name: `job-${i}`, status: 'Synced', health: { status: 'Healthy' } }],
      },
    });
  }
  argocd.putApplication({ name: 'elsewhere', namespace: 'team-a', spec: {} });
});

afterEach(() => argocd.reset());

afterAll(async () => {
  await argocd.close();
});

describe('list', () => {
  test('every page, in the namespace only, with status.resources kept', async () => {
    const before = argocd.requests.length;
    const apps = await new ArgoCdApplicationSource({ namespace: 'argocd', pageSize: 3 }, api).list(never());
    expect(apps.map((a) => a.metadata.name)).toEqual(['app-0', 'app-1', 'app-2', 'app-3', 'app-4', 'app-5', 'app-6']);
    expect(apps[0]).toEqual({
      metadata: { name: 'app-0', namespace: 'argocd', labels: { 'greenlight.io/app': 'app-0' } },
      spec: { project: 'default', destination: { server: 'https://green.example.com', namespace: 'apps' }, source: { repoURL: 'https://example.com/apps.git', path: 'apps/0' } },
      status: {
        sync: { status: 'Synced', revision: 'abc' },
        health: { status: 'Healthy' },
        resources: [{ group: 'batch', version: 'v1beta1', kind: 'CronJob', namespace: 'apps', name: 'job-0' }],
      },
    });
    const lists = argocd.requests.slice(before);
    expect(lists.map((r) => [r.path, r.query.get('limit'), r.query.has('continue')])).toEqual([
      ['/apis/argoproj.io/v1alpha1/namespaces/argocd/applications', '3', false],
      ['/apis/argoproj.io/v1alpha1/namespaces/argocd/applications', '3', true],
      ['/apis/argoproj.io/v1alpha1/namespaces/argocd/applications', '3', true],
    ]);
    expect(lists.every((r) => r.user === 'system:serviceaccount:argocd:greenlight')).toBe(true);
  });

  test('more pages than the bound fail rather than answer with part of the list', async () => {
    const err = await failure(new ArgoCdApplicationSource({ namespace: 'argocd', pageSize: 2, maxPages: 2 }, api).list(never()));
    expect(err.message).toBe(
      'Argo CD Applications (applications.argoproj.io) in namespace argocd: still more pages after 2; greenlight stops there rather than judge with part of the list',
    );
  });

  test('an Application greenlight cannot read fails the list, naming it', async () => {
    argocd.putApplication({ name: 'broken', namespace: 'broken-ns', spec: { destination: { server: 42 } } });
    const err = await failure(new ArgoCdApplicationSource({ namespace: 'broken-ns' }, api).list(never()));
    expect(err.message).toContain('Argo CD Applications (applications.argoproj.io) in namespace broken-ns: Application broken cannot be read: spec.destination.server');
  });

  test('forbidden: what to grant', async () => {
    argocd.failRequests({ path: '/apis/argoproj.io/v1alpha1/namespaces/argocd/applications', status: 403 });
    const err = await failure(new ArgoCdApplicationSource({ namespace: 'argocd' }, api).list(never()));
    expect(err.message).toBe(
      'cannot list Argo CD Applications (applications.argoproj.io) in namespace argocd (HTTP 403: applications.argoproj.io is forbidden: User "system:serviceaccount:argocd:greenlight" cannot list resource "applications" in API group "argoproj.io" in the namespace "argocd"): ' +
        "grant get and list on applications.argoproj.io in namespace argocd to greenlight's identity (manifests/base/role.yaml does)",
    );
  });

  test('no Application CRD: is Argo CD there?', async () => {
    argocd.failRequests({ path: '/apis/argoproj.io/v1alpha1/namespaces/argocd/applications', status: 404, message: 'the server could not find the requested resource' });
    const err = await failure(new ArgoCdApplicationSource({ namespace: 'argocd' }, api).list(never()));
    expect(err.message).toContain('(HTTP 404: the server could not find the requested resource): is Argo CD installed on this cluster (the Application CRD), and is ARGOCD_NAMESPACE right?');
  });

  test('an abort cuts a slow list short', async () => {
    // Far longer than the test waits: a rejection at all is the abort honoured.
    argocd.delayRequests({ path: '/apis/argoproj.io/v1alpha1/namespaces/argocd/applications', ms: 10 * 60_000 });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('deadline')), 100);
    const err = await failure(new ArgoCdApplicationSource({ namespace: 'argocd' }, api).list(controller.signal));
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err.message).toBe('Argo CD Applications (applications.argoproj.io) in namespace argocd: the list was cancelled before the API server answered');
  });
});
