import { describe, expect, it } from 'vitest';
import { finding, findingConcern, type ReadinessApplication } from '../../../../generator/index.js';

type Resource = NonNullable<NonNullable<ReadinessApplication['status']>['resources']>[number];
const application = (name: string, namespace: string, resources: Resource[] = []): ReadinessApplication => ({
  metadata: { name, namespace: 'argocd' },
  spec: { destination: { server: 'https://blue.example.com', namespace } },
  status: { resources },
});
const sa = (namespace: string, name: string): Resource => ({ group: '', version: 'v1', kind: 'ServiceAccount', namespace, name });
const deployment = (namespace: string, name: string): Resource => ({ group: 'apps', version: 'v1', kind: 'Deployment', namespace, name });

const payments = application('payments-api-blue', 'payments', [deployment('payments', 'payments-api'), sa('payments', 'payments-api')]);
const ledger = application('ledger-blue', 'payments', [deployment('payments', 'ledger'), sa('payments', 'ledger')]);
const web = application('web-blue', 'web', [deployment('web', 'web'), deployment('shared', 'web-sidecar')]);

const ssm = (key: string) => finding('ssm-missing', 'blocker', `ssm:${key}`, 'm', { workload: key.includes('/') ? { namespace: key.split('/')[0] ?? '', serviceAccount: null } : null });
const podIdentity = (namespace: string, serviceAccount: string) => finding('pod-identity-missing', 'blocker', `podidentity:${namespace}/${serviceAccount}`, 'm', { workload: { namespace, serviceAccount } });

describe('findingConcern', () => {
  it("gives an Application's own finding to its app only", () => {
    const removed = finding('removed-api', 'blocker', 'x', 'm', { app: { namespace: 'argocd', name: 'web-blue' } });
    expect(findingConcern(removed, [web])).toBe('app');
    expect(findingConcern(removed, [payments])).toBe('other-app');
  });

  it("gives an SSM key to the apps deployed in the namespace its first segment names, by destination or by resources", () => {
    expect(findingConcern(ssm('payments/stripe-api-key'), [payments])).toBe('app');
    expect(findingConcern(ssm('payments/stripe-api-key'), [web])).toBe('other-app');
    expect(findingConcern(ssm('shared/datadog-api-key'), [web])).toBe('app');
    expect(findingConcern(ssm('global-key'), [web])).toBe('pair');
  });

  it('gives a Pod Identity association to the apps that manage its service account, not to their namespace neighbours', () => {
    expect(findingConcern(podIdentity('payments', 'payments-api'), [payments])).toBe('app');
    expect(findingConcern(podIdentity('payments', 'payments-api'), [ledger])).toBe('other-app');
    expect(findingConcern(podIdentity('payments', 'payments-api'), [ledger, payments])).toBe('app');
  });

  it('falls back to the destination namespace for an Application whose resources Argo CD has not reported', () => {
    const unreported = application('payments-api-green', 'payments');
    expect(findingConcern(podIdentity('payments', 'payments-api'), [unreported])).toBe('app');
    expect(findingConcern(podIdentity('payments', 'payments-api'), [application('web-green', 'web')])).toBe('other-app');
  });

  it('leaves versions, add-ons, insights and unreadable facts to the whole pair', () => {
    for (const kind of ['version-skew', 'addon-skew', 'eks-insight', 'facts-missing'] as const) {
      expect(findingConcern(finding(kind, 'blocker', kind, 'm', { cluster: 'prod-eu-green' }), [web, payments])).toBe('pair');
    }
  });
});
