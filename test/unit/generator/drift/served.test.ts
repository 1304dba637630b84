import { describe, expect, it } from 'vitest';
import { driftConcern, MAX_SERVED_DRIFT_FINDINGS, servedDrift, type DriftFinding, type DriftReport, type ReadinessApplication } from '../../../../generator/index.js';

const app = (name: string, namespace: string): ReadinessApplication => ({ metadata: { name, namespace: 'argocd' }, spec: { destination: { namespace } }, status: { resources: [] } });

function finding(over: Partial<DriftFinding>): DriftFinding {
  return {
    cluster: 'prod-eu-blue',
    group: '',
    version: 'v1',
    kind: 'ConfigMap',
    resource: 'configmaps',
    namespace: 'web',
    name: 'hotfix',
    class: 'unmanaged',
    createdAt: null,
    managers: [],
    missingOnGreen: true,
    app: null,
    fields: [],
    volume: null,
    accepted: false,
    acceptedBy: null,
    ...over,
  };
}

const report = (findings: DriftFinding[]): DriftReport => ({ pair: 'prod-eu', blue: 'prod-eu-blue', green: 'prod-eu-green', trackingMethod: 'annotation', findings, gaps: [], scans: [] });

describe('driftConcern', () => {
  const context = {
    ownNamespaces: new Set(['web']),
    allNamespaces: new Set(['web', 'payments']),
    ownNames: new Set(['web-blue', 'argocd_web-blue']),
    allNames: new Set(['web-blue', 'argocd_web-blue', 'payments-blue']),
  };
  it.each([
    ['tracked by the viewer, wherever it is', { app: 'argocd_web-blue', namespace: 'payments' }, 'app'],
    ["tracked by another listed Application, even in the viewer's namespace", { app: 'payments-blue', namespace: 'web' }, 'other-app'],
    ['tracked by an Application nobody lists: its namespace decides', { app: 'deleted-app', namespace: 'web' }, 'app'],
    ["in the viewer's namespace", { app: null, namespace: 'web' }, 'app'],
    ["in another app's namespace", { app: null, namespace: 'payments' }, 'other-app'],
    ['in a namespace no Application deploys to', { app: null, namespace: 'debug' }, 'pair'],
    ['cluster-scoped', { app: null, namespace: null }, 'pair'],
  ] as const)('%s', (_what, f, concern) => {
    expect(driftConcern(f, context)).toBe(concern);
  });
});

describe('servedDrift', () => {
  it("counts the pair's findings, signed-off ones apart, and bounds the lists it serves in full", () => {
    const many = Array.from({ length: MAX_SERVED_DRIFT_FINDINGS + 7 }, (_, i) => finding({ name: `cm-${i}` }));
    const served = servedDrift(
      report([...many, finding({ namespace: null, kind: 'ClusterRole', name: 'debug-admin' }), finding({ namespace: 'payments', accepted: true, acceptedBy: 'config' }), finding({ namespace: 'payments', class: 'hotfix', missingOnGreen: false })]),
      [app('web-blue', 'web')],
      [app('web-blue', 'web'), app('payments-blue', 'payments')],
      '2026-12-04T03:00:00.000Z',
    );
    if (served.state !== 'audited') throw new Error('not audited');
    expect(served.counts).toEqual({ unmanaged: MAX_SERVED_DRIFT_FINDINGS + 8, hotfix: 1, stateful: 0, accepted: 1, missingOnGreen: MAX_SERVED_DRIFT_FINDINGS + 8 });
    expect(served.app).toHaveLength(MAX_SERVED_DRIFT_FINDINGS);
    expect(served.omitted).toEqual({ app: 7, pairWide: 0 });
    expect(served.pairWide.map((f) => f.name)).toEqual(['debug-admin']);
    expect(served.otherApps).toEqual([{ namespace: 'payments', kind: 'ConfigMap', count: 2 }]);
  });
});
